// Envelope-encrypted secrets (JWT keys, CA private keys, peppers) in the secrets table; the only place secret plaintext meets SQLite.
import type { Database } from 'better-sqlite3';
import type { EnvelopeCipher } from './envelope';

export interface SecretStore {
  put(tenantId: string, name: string, value: Uint8Array): void;
  get(tenantId: string, name: string): Buffer | undefined;
  delete(tenantId: string, name: string): boolean;
  names(tenantId: string): string[];
}

/** The AAD purpose of a stored secret: its name, so a ciphertext copied under another name fails. */
export function secretPurpose(name: string): string {
  return `secret:${name}`;
}

export interface SecretStoreDeps {
  db: Database;
  /** A getter, because master-key rotation swaps the cipher while the store lives on. */
  cipher: () => EnvelopeCipher;
  now?: () => Date;
}

export function createSecretStore({ db, cipher, now = () => new Date() }: SecretStoreDeps): SecretStore {
  const upsert = db.prepare(
    `INSERT INTO secrets (tenant_id, name, ciphertext, key_version, created_at, updated_at) VALUES (@tenant, @name, @ciphertext, @version, @now, @now)
     ON CONFLICT (tenant_id, name) DO UPDATE SET ciphertext = excluded.ciphertext, key_version = excluded.key_version, updated_at = excluded.updated_at`,
  );
  const select = db.prepare<[string, string], { ciphertext: Buffer }>('SELECT ciphertext FROM secrets WHERE tenant_id = ? AND name = ?');
  const remove = db.prepare('DELETE FROM secrets WHERE tenant_id = ? AND name = ?');
  const list = db.prepare<[string], { name: string }>('SELECT name FROM secrets WHERE tenant_id = ? ORDER BY name');

  return {
    put(tenantId, name, value) {
      const c = cipher();
      const ciphertext = c.encrypt(value, { tenantId, purpose: secretPurpose(name) });
      upsert.run({ tenant: tenantId, name, ciphertext, version: c.keyVersion, now: now().toISOString() });
    },
    get(tenantId, name) {
      const row = select.get(tenantId, name);
      return row === undefined ? undefined : cipher().decrypt(row.ciphertext, { tenantId, purpose: secretPurpose(name) });
    },
    delete: (tenantId, name) => remove.run(tenantId, name).changes > 0,
    names: (tenantId) => list.all(tenantId).map((row) => row.name),
  };
}
