// `devmesh doctor`'s TLS and certificate checks: what each server would serve, certificates expiring or expired, and OCSP stapling (off without a responder).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import type { MeshConfig } from '../config';
import type { TlsConfig } from '../tls-config';
import type { Check } from './doctor';

const DAY = 86_400_000;
const WARN_DAYS = 30;

interface CertRow {
  serial: string;
  kind: string;
  subject_cn: string;
  not_after: string;
}

function daysLeft(notAfter: string, now: number): number {
  return Math.floor((Date.parse(notAfter) - now) / DAY);
}

/** Mesh certificates (not revoked) that have ended or end within 30 days: the same rule as the daily audit warning. */
export function certificateChecks(db: Database, now = Date.now()): Check[] {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'certificates'").get() !== undefined;
  if (!hasTable) return [];
  const rows = db.prepare("SELECT serial, kind, subject_cn, not_after FROM certificates WHERE tenant_id = 'default' AND revoked_at IS NULL ORDER BY not_after").all() as CertRow[];
  if (rows.length === 0) return [{ name: 'certificates', status: 'ok', detail: 'none issued (`devmesh certs ca create` starts the local PKI)' }];
  const expired = rows.filter((r) => Date.parse(r.not_after) <= now);
  const soon = rows.filter((r) => Date.parse(r.not_after) > now && daysLeft(r.not_after, now) < WARN_DAYS);
  const describe = (r: CertRow) => `${r.kind} ${r.serial.slice(0, 12)} "${r.subject_cn}" (${daysLeft(r.not_after, now) < 0 ? 'expired' : `${daysLeft(r.not_after, now)} days left`})`;
  if (expired.length > 0) return [{ name: 'certificates', status: 'warn', detail: `${expired.length} expired: ${expired.map(describe).join(', ')}${soon.length > 0 ? `; ${soon.length} expiring within ${WARN_DAYS} days` : ''}; issue new ones (\`devmesh certs issue …\`)` }];
  if (soon.length > 0) return [{ name: 'certificates', status: 'warn', detail: `expiring within ${WARN_DAYS} days: ${soon.map(describe).join(', ')}` }];
  return [{ name: 'certificates', status: 'ok', detail: `${rows.length} valid, none expiring within ${WARN_DAYS} days` }];
}

function servingSerial(db: Database | undefined, server: 'api' | 'mcp'): string | undefined {
  if (db === undefined) return undefined;
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tls_serving'").get() !== undefined;
  if (!hasTable) return undefined;
  return (db.prepare("SELECT serial FROM tls_serving WHERE tenant_id = 'default' AND server = ?").get(server) as { serial: string } | undefined)?.serial;
}

function fileCheck(name: string, prefix: string, tls: TlsConfig, now: number): Check {
  try {
    const cert = new X509Certificate(readFileSync(tls.certFile as string));
    if (!cert.checkPrivateKey(createPrivateKey(readFileSync(tls.keyFile as string)))) return { name, status: 'fail', detail: `${prefix}_TLS_KEY_FILE does not belong to ${prefix}_TLS_CERT_FILE` };
    const left = daysLeft(new Date(cert.validTo).toISOString(), now);
    if (left < 0) return { name, status: 'fail', detail: `${tls.certFile} expired on ${new Date(cert.validTo).toISOString()}` };
    return { name, status: left < WARN_DAYS ? 'warn' : 'ok', detail: `${tls.certFile} (${left} days left), TLS ≥ ${tls.minVersion.slice(4)}, client auth ${tls.clientAuth}` };
  } catch (error) {
    return { name, status: 'fail', detail: `${prefix}_TLS_CERT_FILE/${prefix}_TLS_KEY_FILE: ${(error as Error).message}` };
  }
}

/** One line per server: plain HTTP, or what TLS would serve and whether it can. */
export function tlsChecks(config: MeshConfig, db: Database | undefined, now = Date.now()): Check[] {
  return (['api', 'mcp'] as const).map((server) => {
    const tls = config.tls[server];
    const prefix = server === 'api' ? 'API' : 'MCP';
    const name = `${server} TLS`;
    if (!tls.enabled) return { name, status: 'ok', detail: `off (plain HTTP; ${prefix}_TLS_ENABLED=true to serve HTTPS)` };
    const check = tls.certFile !== undefined ? fileCheck(name, prefix, tls, now) : undefined;
    const serial = servingSerial(db, server);
    const base: Check = check ?? (serial === undefined
      ? { name, status: 'fail', detail: `${prefix}_TLS_ENABLED=true but no certificate: \`devmesh certs use <serial> --server ${server}\` or ${prefix}_TLS_CERT_FILE/${prefix}_TLS_KEY_FILE` }
      : { name, status: 'ok', detail: `mesh certificate ${serial.slice(0, 12)}, TLS ≥ ${tls.minVersion.slice(4)}, client auth ${tls.clientAuth}` });
    // A local CA runs no OCSP responder: there is nothing to staple unless a response file is given.
    const ocsp = tls.ocspResponseFile === undefined ? 'OCSP stapling off (a local CA has no OCSP responder; revocation is checked on every handshake instead)' : `OCSP stapling from ${tls.ocspResponseFile}`;
    return { ...base, detail: `${base.detail}; ${ocsp}` };
  });
}
