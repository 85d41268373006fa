// "Verify now" for an adapter (REST, the console): concurrent callers share one run, and each caller's check is recorded as `audit_verified`.
import type { Database } from 'better-sqlite3';
import type { AuditVerifyDto } from '../../../shared/api/audit';
import { auditContext, type Principal, type RequestContext } from '../auth/principal';
import type { SecretStore } from '../crypto/secret-store';
import type { AuditService } from './audit-service';
import { loadCheckpointKey } from './checkpoint';
import { verifyTrail, type TrailVerifyResult } from './verify-trail';

export interface AuditedVerifyDeps {
  db: Database;
  audit: AuditService;
  secrets: SecretStore;
  /** The database file, for the verify thread's own read-only connection. */
  file: string;
  nativeBinding?: string | undefined;
}

export type AuditedVerify = (actor: Principal, ctx: RequestContext) => Promise<TrailVerifyResult>;

export function createAuditedVerify({ db, audit, secrets, file, nativeBinding }: AuditedVerifyDeps): AuditedVerify {
  // A verify reads the whole trail: asking twice at once proves nothing more, so the second caller waits for the first run.
  let verifying: Promise<TrailVerifyResult> | undefined;
  return async (actor, ctx) => {
    verifying ??= verifyTrail({ db, audit, file, nativeBinding, key: { key: loadCheckpointKey(secrets) } }).finally(() => {
      verifying = undefined;
    });
    const r = await verifying;
    audit.append({
      event_type: 'audit_verified',
      subject: actor.subject,
      action: 'verify',
      resource: 'audit',
      result: r.ok ? 'success' : 'failure',
      ...(r.reason === undefined ? {} : { error: r.reason.slice(0, 2048) }),
      tenant_id: actor.tenantId,
      metadata: { checked: r.checked, first_bad_seq: r.first_bad_seq, base_seq: r.base_seq, checkpoint: r.checkpoint, duration_ms: r.duration_ms },
      ...auditContext(ctx),
    });
    return r;
  };
}

/** A run as the REST API and the console report it. */
export function verifyDto(r: TrailVerifyResult): AuditVerifyDto {
  return {
    ok: r.ok,
    checked: r.checked,
    first_bad_seq: r.first_bad_seq,
    ...(r.reason === undefined ? {} : { reason: r.reason }),
    base_seq: r.base_seq,
    checkpoint: r.checkpoint,
    duration_ms: r.duration_ms,
    events_per_s: r.events_per_s,
  };
}
