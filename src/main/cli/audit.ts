// `devmesh audit tail|verify|export|prune`: the audit trail from the shell, next to a running serve; reads work without the master key (read-only, unrecorded), and are recorded when it is at hand.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import type { Command } from 'commander';
import { AppError, isAppError, type ErrorCode } from '../../shared/errors';
import { loadConfig, type MeshConfig } from '../config';
import { createAuditService, type AuditService } from '../core/audit/audit-service';
import { loadCheckpointKey, withCheckpointKey, type CheckpointKey } from '../core/audit/checkpoint';
import { EXPORT_FORMATS, exportAudit, exportedEvent, type ExportFormat } from '../core/audit/export';
import { followAudit } from '../core/audit/follow';
import { lineFields } from '../core/audit/line-fields';
import { createLineReader, type StoredLine } from '../core/audit/lines';
import { pruneAuditTrail } from '../core/audit/retention';
import type { AuditInput } from '../core/audit/types';
import { verifyExportFile, type ExportKeyLookup, type ExportVerifyResult } from '../core/audit/verify-export';
import { verifyTrail, type TrailVerifyResult } from '../core/audit/verify-trail';
import { createOsKeychain } from '../core/keychain/keychain';
import { openCore, type Core } from '../core/open-core';
import { createSettingsService } from '../core/settings/settings-service';
import { createChangeEpoch } from '../core/storage/change-epoch';
import { dataDirPaths } from '../core/storage/data-dir';
import { openStorage } from '../core/storage/database';
import { action, cliSubject } from './run';

/** Without these the master key cannot be had; every other failure (a wrong key, say) stops the command. */
const NO_KEY: readonly ErrorCode[] = ['MASTER_KEY_UNAVAILABLE', 'MASTER_KEY_MISSING', 'KEYCHAIN_UNAVAILABLE'];

interface AuditAccess {
  config: MeshConfig;
  db: Database;
  audit: AuditService;
  file: string;
  /** The full core, when the master key was at hand: checkpoint key, and the command goes on record. */
  core: Core | undefined;
  /** Why this is a read-only, unrecorded open. */
  readOnlyBecause: string | undefined;
  /** Appends to the trail when this open can write (a read-only one records nothing). */
  record(event: Omit<AuditInput, 'subject'>): void;
  close(): Promise<void>;
}

/**
 * Opens the mesh like every admin command does (so reading the trail is itself recorded, and signatures can be
 * checked). Without a master key at hand, the database is opened read-only instead: whoever can read the file can
 * read the trail anyway, so refusing would protect nothing; the command then says that it was not recorded.
 */
function openAudit({ needKey = false }: { needKey?: boolean } = {}): AuditAccess {
  const config = loadConfig();
  const file = dataDirPaths(config.dataDir).database;
  if (!existsSync(file)) throw new AppError('NOT_FOUND', `there is no audit trail yet: ${file} does not exist; run \`devmesh serve\` once (or set DEVMESH_DATA_DIR)`);
  try {
    const core = openCore(config, { keychain: createOsKeychain() });
    const writable = !core.storage.readOnly;
    return {
      config,
      db: core.db,
      audit: core.audit,
      file,
      core,
      readOnlyBecause: writable ? undefined : (core.storage.readOnlyReason ?? 'the database is read-only'),
      record: (event) => {
        if (writable) core.audit.append({ ...event, subject: cliSubject() });
      },
      close: () => core.close(),
    };
  } catch (error) {
    if (needKey || !isAppError(error) || !NO_KEY.includes(error.code)) throw error;
    const storage = openStorage({ file, readOnly: true });
    process.stderr.write(`devmesh: note: ${error.message}\ndevmesh: note: reading the database read-only: this command is not recorded in the audit trail, and checkpoint signatures cannot be checked\n`);
    return {
      config,
      db: storage.db,
      audit: createAuditService({ db: storage.db }),
      file,
      core: undefined,
      readOnlyBecause: error.message,
      record: () => undefined,
      close: async () => storage.close(),
    };
  }
}

function checkpointKeyOf(access: AuditAccess): CheckpointKey {
  if (access.core === undefined) return { unavailable: `no master key (${access.readOnlyBecause ?? 'unavailable'})` };
  return { key: loadCheckpointKey(access.core.secrets) };
}

/** Raised when whoever reads stdout went away (`devmesh audit export | head`): the command stops quietly. */
class ReaderGone extends Error {}

interface Output {
  /** Writes with backpressure; throws ReaderGone once the reading end of the pipe is closed. */
  write(text: string): Promise<void>;
  readonly gone: Promise<void>;
  dispose(): void;
}

function stdoutOutput(): Output {
  let closed = false;
  let markGone: () => void = () => undefined;
  const gone = new Promise<void>((resolve) => (markGone = resolve));
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') process.stderr.write(`devmesh: cannot write to standard output: ${error.message}\n`);
    closed = true;
    markGone();
  };
  process.stdout.on('error', onError);
  return {
    async write(text) {
      if (closed) throw new ReaderGone();
      if (!process.stdout.write(text)) await Promise.race([new Promise<void>((resolve) => process.stdout.once('drain', resolve)), gone]);
      if (closed) throw new ReaderGone();
    },
    gone,
    dispose: () => process.stdout.off('error', onError),
  };
}

/** A command that writes to stdout, ending without complaint when the reader leaves early. */
async function writingToStdout(work: (out: Output) => Promise<void>): Promise<void> {
  const out = stdoutOutput();
  try {
    await work(out);
  } catch (error) {
    if (!(error instanceof ReaderGone)) throw error;
  } finally {
    out.dispose();
  }
}

function positiveInt(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) throw new AppError('VALIDATION_FAILED', `${flag} must be a whole number from 1 to ${max}`);
  return n;
}

function instantOption(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new AppError('VALIDATION_FAILED', `${flag} must be a date or date-time such as 2025-01-31 or 2025-01-31T12:00:00Z`);
  return parsed.toISOString();
}

const rate = (n: number) => n.toLocaleString('en-US');

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatTrailVerify(r: TrailVerifyResult): string {
  const lines: string[] = [];
  if (r.ok) lines.push(`✓ audit chain intact: ${rate(r.checked)} events verified in ${seconds(r.duration_ms)} (${rate(r.events_per_s)} events/s)`);
  else lines.push(`✗ audit chain broken at event ${r.first_bad_seq}: ${r.reason ?? 'mismatch'}`, `  ${rate(r.checked)} events verified before it, in ${seconds(r.duration_ms)} (${rate(r.events_per_s)} events/s)`);
  if (r.base_seq > 0) {
    if (r.checkpoint === 'valid') lines.push(`  verification starts after event ${r.base_seq}, where retention pruning stopped; its signed checkpoint is valid`);
    else if (r.checkpoint === 'unchecked') lines.push(`  ! verification starts after event ${r.base_seq}, where retention pruning stopped; its signed checkpoint was NOT checked (no master key here)`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatExportVerify(r: ExportVerifyResult): string {
  const t = r.trailer;
  const range = t === undefined || t.first_seq === null ? '' : ` (events ${t.first_seq}..${t.last_seq})`;
  const lines = [r.ok ? `✓ export intact: ${rate(r.checked)} events${range}, every hash, link and the trailer's digest verified` : `✗ export does not verify at event ${r.first_bad_seq}: ${r.reason ?? 'mismatch'}`];
  if (t !== undefined && r.ok) {
    lines.push(`  signature: ${r.signature}${r.signature_note === undefined ? '' : ` (${r.signature_note})`}`);
    lines.push(`  ${r.from_base ? 'starts at the chain base' : `starts at event ${t.first_seq ?? '-'}, after the chain base (${t.base.seq}): earlier events are not in this file`}`);
    lines.push(`  ${r.to_head ? `ends at the chain head (${t.head.seq}) as of ${t.exported_at}` : `ends before the chain head (${t.head.seq}) as of ${t.exported_at}`}`);
    if (r.gaps > 0) lines.push(`  ${r.gaps} gap(s): events of other tenants are not in this export, so the links across them cannot be checked`);
  }
  return `${lines.join('\n')}\n`;
}

/** The checkpoint key of this installation, for an export made by it (looked up without changing anything). */
function exportKeyLookup(): ExportKeyLookup {
  return (trailer) => {
    if (trailer.installation_id === null) return 'the export names no installation';
    let core: Core | undefined;
    try {
      const config = loadConfig();
      if (!existsSync(dataDirPaths(config.dataDir).database)) return 'no mesh database here to take the key from (set DEVMESH_DATA_DIR)';
      core = openCore(config, { keychain: createOsKeychain(), readOnly: true });
      if (core.installationId !== trailer.installation_id) return `exported by installation ${trailer.installation_id}, not this one (${core.installationId})`;
      return loadCheckpointKey(core.secrets) ?? 'this installation has no audit checkpoint key';
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      void core?.close();
    }
  };
}

function startsWith(file: string, text: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(text.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.toString('utf8') === text;
  } finally {
    closeSync(fd);
  }
}

async function tailCommand(options: { follow?: boolean; type?: string; lines: string }): Promise<void> {
  const count = positiveInt(options.lines, '--lines', 100_000);
  const type = options.type;
  if (type !== undefined && !/^[a-z][a-z0-9_.]{0,63}$/.test(type)) throw new AppError('VALIDATION_FAILED', '--type must be an event type such as authz_decision or auth_failed');
  const access = openAudit();
  try {
    await writingToStdout(async (out) => {
      const match = type === undefined ? undefined : (line: string) => lineFields(line)?.event_type === type;
      const reader = createLineReader(access.db);
      access.audit.flush();
      const head = reader.head();
      const print = async (lines: readonly StoredLine[]) => {
        let text = '';
        for (const { line } of lines) if (match === undefined || match(line)) text += `${line}\n`;
        if (text !== '') await out.write(text);
      };
      await print(reader.last(count, { through: head, match }));
      access.record({ event_type: 'audit_read', action: 'read', resource: 'audit', result: 'success', metadata: { command: 'tail', follow: options.follow === true, type: type ?? null } });
      access.audit.flush();
      if (options.follow !== true) return;

      // Until Ctrl-C (or the reader of a pipe goes away): new lines from any process, polled from the database.
      const follower = followAudit({
        reader,
        audit: access.audit,
        after: head,
        pollMs: 250,
        deliver: print,
        onError: (error) => {
          if (!(error instanceof ReaderGone)) process.stderr.write(`devmesh: ${error instanceof Error ? error.message : String(error)}\n`);
        },
      });
      const stop = () => follower.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      void out.gone.then(stop);
      await follower.done;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    });
  } finally {
    await access.close();
  }
}

async function verifyCommand(options: { file?: string; json?: boolean }): Promise<void> {
  if (options.file !== undefined) {
    if (!existsSync(options.file)) throw new AppError('NOT_FOUND', `no such file: ${options.file}`);
    if (startsWith(options.file, 'seq,timestamp,')) throw new AppError('VALIDATION_FAILED', `${options.file} is a CSV export; only JSON-lines exports (--format jsonl) can be verified`);
    const result = await verifyExportFile(options.file, exportKeyLookup());
    process.stdout.write(options.json === true ? `${JSON.stringify(result, null, 2)}\n` : formatExportVerify(result));
    if (!result.ok) process.exitCode = 1;
    return;
  }
  const access = openAudit();
  try {
    const progress = process.stderr.isTTY === true ? (checked: number) => process.stderr.write(`\r  ${rate(checked)} events checked…`) : undefined;
    const result = await verifyTrail({ db: access.db, audit: access.audit, file: access.file, key: checkpointKeyOf(access), thread: 'inline', onProgress: progress });
    if (progress !== undefined) process.stderr.write('\r\x1b[K');
    access.record({
      event_type: 'audit_verified',
      action: 'verify',
      resource: 'audit',
      result: result.ok ? 'success' : 'failure',
      ...(result.reason === undefined ? {} : { error: result.reason.slice(0, 2048) }),
      metadata: { checked: result.checked, first_bad_seq: result.first_bad_seq, base_seq: result.base_seq, checkpoint: result.checkpoint, duration_ms: result.duration_ms },
    });
    process.stdout.write(options.json === true ? `${JSON.stringify(result, null, 2)}\n` : formatTrailVerify(result));
    if (!result.ok) process.exitCode = 1;
  } finally {
    await access.close();
  }
}

async function exportCommand(options: { format: string; since?: string; until?: string }): Promise<void> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) throw new AppError('VALIDATION_FAILED', `--format must be ${EXPORT_FORMATS.join(' or ')}`);
  const format = options.format as ExportFormat;
  const since = instantOption(options.since, '--since');
  const until = instantOption(options.until, '--until');
  const access = openAudit();
  try {
    const core = access.core;
    const existing = core === undefined ? undefined : loadCheckpointKey(core.secrets);
    const signingKey = existing ?? (core !== undefined && access.readOnlyBecause === undefined ? withCheckpointKey(core.db, core.secrets, (key) => key) : undefined);
    const chunks = exportAudit({
      db: access.db,
      audit: access.audit,
      format,
      since,
      until,
      signingKey,
      installationId: core?.installationId,
      onEnd: (summary, error) => access.record(exportedEvent(summary, error, { since, until, via: 'cli' })),
    });
    await writingToStdout(async (out) => {
      for (const chunk of chunks) await out.write(chunk);
    });
  } finally {
    await access.close();
  }
}

async function pruneCommand(options: { days?: string }): Promise<void> {
  const access = openAudit({ needKey: true });
  try {
    const core = access.core;
    if (core === undefined || access.readOnlyBecause !== undefined) throw new AppError('STORAGE_READ_ONLY', `cannot prune: ${access.readOnlyBecause ?? 'no master key'}`);
    // The default is what serve prunes to: the audit.retention_days setting (AUDIT_RETENTION_DAYS unless changed from the console).
    const days = options.days === undefined ? createSettingsService({ db: core.db, config: access.config, epoch: createChangeEpoch(core.db) }).get()['audit.retention_days'] : positiveInt(options.days, '--days', 36_500);
    if (days === 0) {
      process.stdout.write('retention is off (audit.retention_days / AUDIT_RETENTION_DAYS is 0): nothing removed\n');
      return;
    }
    const result = await pruneAuditTrail({ db: core.db, audit: core.audit, secrets: core.secrets, file: access.file, retentionDays: days, subject: cliSubject(), thread: 'inline' });
    if (result.refused !== undefined) throw new AppError('CONFLICT', `nothing pruned: the audit chain does not verify at ${result.refused}; run \`devmesh audit verify\``);
    process.stdout.write(
      result.removed_events === 0
        ? `nothing to prune: no stored events are older than ${days} days (before ${result.pruned_before ?? '-'})\n`
        : `removed ${rate(result.removed_events)} events older than ${days} days (before ${result.pruned_before ?? '-'}); verification now starts after event ${result.base_seq}, under a signed checkpoint\n`,
    );
  } finally {
    await access.close();
  }
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('read, verify, export and prune the hash-chained audit trail (works while serve runs)');

  audit
    .command('tail')
    .description('print the latest audit events as JSON lines (the stored lines, as serve prints them)')
    .option('-n, --lines <count>', 'how many events', '20')
    .option('--type <event_type>', 'only this event type, e.g. authz_decision')
    .option('-f, --follow', 'keep printing new events (from any process) until Ctrl-C')
    .action(action(tailCommand));

  audit
    .command('verify')
    .description('verify the hash chain and its signed checkpoint (exit 1 when broken), or an export with --file')
    .option('--file <export.jsonl>', 'verify a JSON-lines export offline instead of the database')
    .option('--json', 'print the result as JSON')
    .action(action(verifyCommand));

  audit
    .command('export')
    .description('write the whole audit trail to stdout, ending with a signed chain-head trailer')
    .option('--format <format>', 'jsonl (the stored lines, verifiable with `audit verify --file`) or csv', 'jsonl')
    .option('--since <time>', 'from the first event at or after this date-time')
    .option('--until <time>', 'up to the first event after this date-time')
    .action(action(exportCommand));

  audit
    .command('prune')
    .description('remove events older than the retention period now (serve does this daily), keeping the chain verifiable')
    .option('--days <days>', 'retention in days (default: the audit.retention_days setting, else AUDIT_RETENTION_DAYS, 90)')
    .action(action(pruneCommand));
}
