// `devmesh audit tail|verify|export|prune` as an operator runs them: real child processes, next to a running serve, with and without the master key.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditService } from '../../src/main/core/audit/audit-service';
import { DAY_MS } from '../../src/main/core/audit/retention';
import type { AuditEvent } from '../../src/main/core/audit/types';
import { openCore } from '../../src/main/core/open-core';
import { openStorage } from '../../src/main/core/storage/database';
import { dataDirPaths } from '../../src/main/core/storage/data-dir';
import { cleanEnv, REPO_ROOT, runCli } from '../helpers/cli';
import { ADMIN_PASSWORD, CLI_SUBJECT, loggedIn, meshEnv, ok, serve, SLOW, stopped, stopServes, type MeshEnv } from '../helpers/cli-mesh';
import { testConfig } from '../helpers/config';
import { createMemoryKeychain } from '../helpers/memory-keychain';
import { tempDir } from '../helpers/temp-dir';

afterEach(stopServes);

/** A data dir made in-process (as serve would), with `work` run on its core before it is closed. */
async function prepare(env: MeshEnv, work: (core: ReturnType<typeof openCore>) => void): Promise<void> {
  const core = openCore(testConfig(env.DEVMESH_DATA_DIR, { masterKeyEnv: env.ENCRYPTION_MASTER_KEY }), { keychain: createMemoryKeychain() });
  try {
    work(core);
  } finally {
    await core.close();
  }
}

function probe(n: number) {
  return { event_type: 'probe_event', subject: `user:p${n}`, action: 'poke', resource: `thing:${n}`, result: 'success' as const, metadata: { n } };
}

/** Every stored event of a data dir, read-only. */
function eventsOf(dataDir: string): AuditEvent[] {
  const storage = openStorage({ file: dataDirPaths(dataDir).database, readOnly: true });
  try {
    return createAuditService({ db: storage.db }).query({ limit: 1000 }).events.reverse();
  } finally {
    storage.close();
  }
}

describe('devmesh audit next to a running serve', () => {
  it('tails, verifies and exports; the export verifies offline and an edit to it is caught; each read is on record', async () => {
    const env = meshEnv();
    const s = await serve(env);
    await loggedIn(s.apiUrl, 'admin', ADMIN_PASSWORD);

    const tail = await ok(env, ['audit', 'tail', '--type', 'server_started']);
    const tailed = tail.stdout.trimEnd().split('\n');
    expect(tailed.map((l) => (JSON.parse(l) as AuditEvent).resource)).toEqual(['server:mcp', 'server:api']);
    // The same bytes serve printed on its stdout.
    const printed = s.output().stdout.split('\n');
    for (const line of tailed) expect(printed).toContain(line);

    const verify = await ok(env, ['audit', 'verify']);
    expect(verify.stdout).toMatch(/^✓ audit chain intact: \d+ events verified in [\d.]+ m?s \([\d,]+ events\/s\)\n$/);

    const exported = await ok(env, ['audit', 'export', '--format', 'jsonl']);
    const file = join(tempDir(), 'export.jsonl');
    writeFileSync(file, exported.stdout);
    const offline = await ok(env, ['audit', 'verify', '--file', file]);
    expect(offline.stdout).toMatch(/^✓ export intact: \d+ events \(events 1\.\.\d+\)/);
    expect(offline.stdout).toContain('signature: valid');
    expect(offline.stdout).toContain('starts at the chain base');

    const lines = exported.stdout.split('\n');
    const victim = lines.findIndex((l) => l.includes('"event_type":"auth_success"'));
    expect(victim).toBeGreaterThanOrEqual(0);
    lines[victim] = (lines[victim] as string).replace('"result":"success"', '"result":"failure"');
    writeFileSync(file, lines.join('\n'));
    const caught = await runCli(['audit', 'verify', '--file', file], { env });
    expect(caught.code).toBe(1);
    expect(caught.stdout).toMatch(new RegExp(`^✗ export does not verify at event ${victim + 1}: event ${victim + 1} \\(line ${victim + 1}\\) was modified`));

    const csv = await ok(env, ['audit', 'export', '--format', 'csv', '--since', '2000-01-01']);
    expect(csv.stdout.split('\r\n')[0]).toBe('seq,timestamp,tenant_id,event_type,subject,action,resource,result,error,metadata,trace_id,ip,user_agent,prev_hash,hash');
    expect(csv.stdout).toMatch(/\r\n#audit_export,"\{""audit_export"":true,/);
    const csvFile = join(tempDir(), 'export.csv');
    writeFileSync(csvFile, csv.stdout);
    const refused = await runCli(['audit', 'verify', '--file', csvFile], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is a CSV export; only JSON-lines exports/);

    await stopped(s);
    const mine = eventsOf(env.DEVMESH_DATA_DIR).filter((e) => e.subject === CLI_SUBJECT);
    expect(mine.map((e) => e.event_type)).toEqual(['audit_read', 'audit_verified', 'audit_exported', 'audit_exported']);
    expect(mine[2]).toMatchObject({ result: 'success', metadata: { format: 'jsonl', via: 'cli', signed: true } });
  }, SLOW);

  it('tail --follow prints what other processes append, until Ctrl-C', async () => {
    const env = meshEnv();
    await prepare(env, (core) => core.audit.append(probe(1)));
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'devmesh.js'), 'audit', 'tail', '--follow'], { cwd: REPO_ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const waitFor = async (text: string) => {
        const deadline = Date.now() + 20_000;
        while (!stdout.includes(text)) {
          if (Date.now() > deadline) throw new Error(`no ${text} in:\n${stdout}\n${stderr}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      await waitFor('"event_type":"audit_read"');
      expect(stdout).toContain('"resource":"thing:1"');
      await ok(env, ['keys', 'create', '--name', 'followed', '--role', 'user']);
      await waitFor('"event_type":"api_key_created"');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stderr).toBe('');
      const seqs = stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as AuditEvent).seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    } finally {
      child.kill('SIGKILL');
    }
  }, SLOW);
});

describe('devmesh audit verify', () => {
  it('exits 1 on a tampered chain, naming the first bad event', async () => {
    const env = meshEnv();
    await prepare(env, (core) => {
      for (let i = 0; i < 6; i += 1) core.audit.append(probe(i));
      core.audit.flush();
      const row = core.db.prepare('SELECT first_seq, lines FROM audit_batches WHERE first_seq <= 4 AND last_seq >= 4').get() as { first_seq: number; lines: string };
      core.db.prepare('UPDATE audit_batches SET lines = ? WHERE first_seq = ?').run(row.lines.replace('"thing:3"', '"thing:33"'), row.first_seq);
    });
    const result = await runCli(['audit', 'verify'], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ audit chain broken at event 4: event 4 was modified after it was written\n {2}3 events verified before it/);
    const json = await runCli(['audit', 'verify', '--json'], { env });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, first_bad_seq: 4, checked: 3 });
  }, SLOW);

  it('works without the master key (read-only, saying it is not on record and the checkpoint is unchecked)', async () => {
    const env = meshEnv();
    await prepare(env, (core) => core.audit.append(probe(1)));
    const noKey = { ...env, ENCRYPTION_MASTER_KEY: undefined, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };
    const result = await runCli(['audit', 'verify'], { env: noKey });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^✓ audit chain intact: 1 events verified/);
    expect(result.stderr).toMatch(/not recorded in the audit trail/);
    const exported = await runCli(['audit', 'export'], { env: noKey });
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout.trimEnd().split('\n').pop() as string)).toMatchObject({ audit_export: true, count: 1, signature: null, installation_id: null });
    expect(eventsOf(env.DEVMESH_DATA_DIR)).toHaveLength(1);
    const prune = await runCli(['audit', 'prune'], { env: noKey });
    expect(prune.code).toBe(1);
    expect(prune.stderr).toMatch(/^devmesh: no master key/);
  }, SLOW);
});

describe('devmesh audit prune', () => {
  it('removes events older than the retention period; verify still passes from the signed checkpoint, and fails on a forged base', async () => {
    const env = meshEnv();
    await prepare(env, (core) => {
      const old = new Date(Date.now() - 200 * DAY_MS);
      const aged = createAuditService({ db: core.db, now: () => old });
      for (let i = 0; i < 8; i += 1) aged.append(probe(i));
      aged.flush();
      for (let i = 8; i < 12; i += 1) core.audit.append(probe(i));
    });
    const pruned = await ok(env, ['audit', 'prune']);
    expect(pruned.stdout).toMatch(/^removed 8 events older than 90 days \(before .*\); verification now starts after event 8, under a signed checkpoint\n$/);
    expect((await ok(env, ['audit', 'prune', '--days', '90'])).stdout).toMatch(/^nothing to prune/);

    const verify = await ok(env, ['audit', 'verify']);
    expect(verify.stdout).toMatch(/^✓ audit chain intact: \d+ events verified/);
    expect(verify.stdout).toContain('verification starts after event 8, where retention pruning stopped; its signed checkpoint is valid');
    const events = eventsOf(env.DEVMESH_DATA_DIR);
    expect(events[0]?.seq).toBe(9);
    expect(events.find((e) => e.event_type === 'audit_pruned')).toMatchObject({ subject: CLI_SUBJECT, metadata: { removed_events: 8 } });

    // Someone moves the base past events they want gone (and deletes those rows): the checkpoint no longer vouches for it.
    const storage = openStorage({ file: dataDirPaths(env.DEVMESH_DATA_DIR).database });
    const ten = events.find((e) => e.seq === 10) as AuditEvent;
    storage.db.prepare('DELETE FROM audit_batches WHERE first_seq <= 10').run();
    storage.db.prepare("UPDATE meta SET value = ? WHERE key = 'audit_base'").run(`10:${ten.hash}`);
    storage.close();
    const forged = await runCli(['audit', 'verify'], { env });
    expect(forged.code).toBe(1);
    expect(forged.stdout).toMatch(/^✗ audit chain broken at event 11: the verification base \(event 10, where pruning stopped\) has no valid signed checkpoint/);
  }, SLOW);

  it('rejects bad flags with one clean line', async () => {
    const env = meshEnv();
    await prepare(env, () => undefined);
    for (const [args, message] of [
      [['audit', 'prune', '--days', 'ten'], /--days must be a whole number/],
      [['audit', 'export', '--format', 'xml'], /--format must be jsonl or csv/],
      [['audit', 'export', '--since', 'last tuesday'], /--since must be a date/],
      [['audit', 'tail', '--type', 'Not A Type'], /--type must be an event type/],
    ] as const) {
      const result = await runCli([...args], { env });
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    const missing = await runCli(['audit', 'verify'], { env: { ...env, DEVMESH_DATA_DIR: join(tempDir(), 'nothing-here') } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/there is no audit trail yet/);
  }, SLOW);
});
