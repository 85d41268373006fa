// The certificates and tls_serving tables: every statement tenant-scoped and parameterized, and the view (DTO) a row becomes.
import type { Database } from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import { certificateFacts, parseCertificate } from './inspect';
import { certificateStatus, type CertificateStatus } from './status';
import { normalizeSerial, type ServerName } from './types';

export const CERTIFICATE_KINDS = ['ca', 'server', 'client', 'imported'] as const;
export type CertificateKind = (typeof CERTIFICATE_KINDS)[number];
export const SERVER_NAMES: readonly ServerName[] = ['api', 'mcp'];

/** The secret-store name of a certificate's private key. */
export function keySecretName(serial: string): string {
  return `cert_key:${serial}`;
}

export interface CertificateRow {
  tenant_id: string;
  serial: string;
  kind: CertificateKind;
  subject_cn: string;
  subject: string;
  sans: string;
  issuer_serial: string | null;
  not_before: string;
  not_after: string;
  sha256: string;
  sha1: string;
  cert_pem: string;
  chain_pem: string;
  has_key: number;
  bound_role: string | null;
  bound_user_id: string | null;
  revoked_at: string | null;
  revocation_reason: string | null;
  created_by: string;
  created_at: string;
  is_current_ca: number;
  /** Joined from users (null when unbound, or the user was deleted). */
  bound_user: string | null;
}

/** What list, show and --json print: the stored facts plus what is read from the certificate and the serving table. */
export interface CertificateView {
  serial: string;
  kind: CertificateKind;
  tenant_id: string;
  subject_cn: string;
  subject: string;
  issuer: string;
  sans: string[];
  issuer_serial: string | null;
  not_before: string;
  not_after: string;
  sha256: string;
  sha1: string;
  key_algorithm: string;
  /** Extended key usages; null when the certificate has none (any use). */
  ext_key_usage: string[] | null;
  is_ca: boolean;
  has_key: boolean;
  bound_role: string | null;
  bound_user_id: string | null;
  bound_user: string | null;
  revoked_at: string | null;
  revocation_reason: string | null;
  created_by: string;
  created_at: string;
  is_current_ca: boolean;
  status: CertificateStatus;
  /** The servers presenting it (`devmesh certs use`). */
  serving: ServerName[];
}

export type NewCertificateRow = Omit<CertificateRow, 'bound_user' | 'revoked_at' | 'revocation_reason'>;

export interface CertificateRows {
  all(tenantId: string): CertificateRow[];
  one(tenantId: string, serial: string): CertificateRow | undefined;
  /** Serials starting with `prefix` (at most a few, for "ambiguous" messages). */
  withPrefix(tenantId: string, prefix: string): string[];
  currentCa(tenantId: string): CertificateRow | undefined;
  insert(row: NewCertificateRow): void;
  retireCurrentCa(tenantId: string): void;
  revoke(tenantId: string, serial: string, at: string, reason: string): void;
  serving(tenantId: string): Record<ServerName, string | null>;
  setServing(tenantId: string, server: ServerName, serial: string, by: string, at: string): void;
  userByName(tenantId: string, username: string): { id: string; username: string } | undefined;
}

export function createCertificateRows(db: Database): CertificateRows {
  const select = 'SELECT c.*, u.username AS bound_user FROM certificates c LEFT JOIN users u ON u.id = c.bound_user_id AND u.tenant_id = c.tenant_id';
  const all = db.prepare<[string], CertificateRow>(`${select} WHERE c.tenant_id = ? ORDER BY c.created_at, c.serial`);
  const one = db.prepare<[string, string], CertificateRow>(`${select} WHERE c.tenant_id = ? AND c.serial = ?`);
  const prefix = db.prepare<[string, number, string], string>('SELECT serial FROM certificates WHERE tenant_id = ? AND substr(serial, 1, ?) = ? ORDER BY serial LIMIT 5').pluck();
  const currentCa = db.prepare<[string], CertificateRow>(`${select} WHERE c.tenant_id = ? AND c.is_current_ca = 1`);
  const insert = db.prepare(
    `INSERT INTO certificates (tenant_id, serial, kind, subject_cn, subject, sans, issuer_serial, not_before, not_after, sha256, sha1, cert_pem, chain_pem, has_key, bound_role, bound_user_id, created_by, created_at, is_current_ca)
     VALUES (@tenant_id, @serial, @kind, @subject_cn, @subject, @sans, @issuer_serial, @not_before, @not_after, @sha256, @sha1, @cert_pem, @chain_pem, @has_key, @bound_role, @bound_user_id, @created_by, @created_at, @is_current_ca)`,
  );
  const retire = db.prepare('UPDATE certificates SET is_current_ca = 0 WHERE tenant_id = ? AND is_current_ca = 1');
  const revoke = db.prepare('UPDATE certificates SET revoked_at = ?, revocation_reason = ? WHERE tenant_id = ? AND serial = ? AND revoked_at IS NULL');
  const serving = db.prepare<[string], { server: ServerName; serial: string }>('SELECT server, serial FROM tls_serving WHERE tenant_id = ?');
  const setServing = db.prepare(
    `INSERT INTO tls_serving (tenant_id, server, serial, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (tenant_id, server) DO UPDATE SET serial = excluded.serial, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
  );
  const userByName = db.prepare<[string, string], { id: string; username: string }>('SELECT id, username FROM users WHERE tenant_id = ? AND username = ?');

  return {
    all: (tenantId) => all.all(tenantId),
    one: (tenantId, serial) => one.get(tenantId, serial),
    withPrefix: (tenantId, p) => prefix.all(tenantId, p.length, p),
    currentCa: (tenantId) => currentCa.get(tenantId),
    insert: (row) => {
      insert.run(row);
    },
    retireCurrentCa: (tenantId) => {
      retire.run(tenantId);
    },
    revoke: (tenantId, serial, at, reason) => {
      revoke.run(at, reason, tenantId, serial);
    },
    serving(tenantId) {
      const out: Record<ServerName, string | null> = { api: null, mcp: null };
      for (const row of serving.all(tenantId)) out[row.server] = row.serial;
      return out;
    },
    setServing: (tenantId, server, serial, by, at) => {
      setServing.run(tenantId, server, serial, by, at);
    },
    userByName: (tenantId, username) => userByName.get(tenantId, username),
  };
}

export function toView(row: CertificateRow, serving: Record<ServerName, string | null>, now: Date): CertificateView {
  const facts = certificateFacts(parseCertificate(row.cert_pem, `certificate ${row.serial}`));
  return {
    serial: row.serial,
    kind: row.kind,
    tenant_id: row.tenant_id,
    subject_cn: row.subject_cn,
    subject: row.subject,
    issuer: facts.issuer,
    sans: JSON.parse(row.sans) as string[],
    issuer_serial: row.issuer_serial,
    not_before: row.not_before,
    not_after: row.not_after,
    sha256: row.sha256,
    sha1: row.sha1,
    key_algorithm: facts.keyAlgorithm,
    ext_key_usage: facts.extKeyUsage ?? null,
    is_ca: facts.isCa,
    has_key: row.has_key === 1,
    bound_role: row.bound_role,
    bound_user_id: row.bound_user_id,
    bound_user: row.bound_user,
    revoked_at: row.revoked_at,
    revocation_reason: row.revocation_reason,
    created_by: row.created_by,
    created_at: row.created_at,
    is_current_ca: row.is_current_ca === 1,
    status: certificateStatus(row, now),
    serving: SERVER_NAMES.filter((server) => serving[server] === row.serial),
  };
}

/**
 * A serial as an operator types it: hex, any case, colons allowed (as openssl and browsers print it). Anything else is
 * refused rather than stripped, so `../x` never becomes a lookup (or a file name).
 */
export function serialArgument(raw: string): string {
  const text = raw.trim();
  if (!/^[0-9a-fA-F]+(?::[0-9a-fA-F]+)*$/.test(text) || text.length > 200) {
    throw new AppError('VALIDATION_FAILED', `${JSON.stringify(raw)} is not a certificate serial (hex, as \`devmesh certs list\` shows it)`);
  }
  return normalizeSerial(text);
}
