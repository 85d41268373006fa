// The Keys & identities channels' core-side paths the browser tests cannot reach: master-key rotation inside the running mesh (keychain-held key), refused for a key from the environment.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { localOperator } from '../../../../src/main/core/auth/local-operator';
import { dispatchIpc } from '../../../../src/main/ipc/dispatch';
import { createIpcHandlers } from '../../../../src/main/ipc/handlers';
import { NO_SAVE_DIALOG } from '../../../../src/main/ipc/console-host';
import { startMesh, type Mesh } from '../../../../src/main/mesh';
import { testConfig } from '../../../helpers/config';
import { createMemoryKeychain, type MemoryKeychain } from '../../../helpers/memory-keychain';
import { tempDir } from '../../../helpers/temp-dir';

const ipcHandlers = createIpcHandlers(NO_SAVE_DIALOG);

let mesh: Mesh | undefined;
afterEach(async () => {
  await mesh?.stop();
  mesh = undefined;
});

async function start(keychain: MemoryKeychain, fromEnv: boolean): Promise<Mesh> {
  const config = testConfig(tempDir());
  mesh = await startMesh(fromEnv ? config : { ...config, masterKeyEnv: undefined }, { logger: pino({ level: 'silent' }), keychain, passwordCost: 4 });
  return mesh;
}

describe('masterKey:rotate', () => {
  it('re-encrypts every secret under a new keychain key in the running mesh, which keeps working, and audits it as the console', async () => {
    const keychain = createMemoryKeychain();
    const m = await start(keychain, false);
    const before = new Map(keychain.entries);
    const pepper = m.core.secrets.get('default', 'token-pepper');
    expect(pepper).toBeDefined();

    const result = await dispatchIpc(ipcHandlers, m, 'masterKey:rotate', undefined);
    expect(result).toMatchObject({ ok: true, value: { key_version: 2 } });
    if (!result.ok) return;
    expect((result.value as { reencrypted: number }).reencrypted).toBeGreaterThan(0);
    expect(m.core.keyVersion()).toBe(2);
    expect([...keychain.entries.values()]).not.toEqual([...before.values()]);
    // Reads and writes after the swap go through the new key.
    expect(m.core.secrets.get('default', 'token-pepper')).toEqual(pepper);
    expect(await dispatchIpc(ipcHandlers, m, 'auth:rotateJwtKey', undefined)).toMatchObject({ ok: true });
    const created = await dispatchIpc(ipcHandlers, m, 'keys:create', { name: 'after-rotation', role: 'viewer' });
    expect(created.ok).toBe(true);

    const [event] = m.core.audit.query({ event_type: 'master_key_rotated' }).events;
    expect(event).toMatchObject({ subject: localOperator('console').subject, resource: 'master_key', result: 'success', metadata: { key_version: 2 } });
  });

  it('refuses a key that comes from ENCRYPTION_MASTER_KEY, saying how to rotate it, and changes nothing', async () => {
    const m = await start(createMemoryKeychain(), true);
    const result = await dispatchIpc(ipcHandlers, m, 'masterKey:rotate', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    if (result.ok) return;
    expect(result.error.message).toContain('devmesh rotate-master-key --new-key-stdin');
    expect(m.core.keyVersion()).toBe(1);
    expect(m.core.audit.query({ event_type: 'master_key_rotated' }).events).toEqual([]);
  });
});
