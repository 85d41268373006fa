// The local certificate authority: create and rotate the CA, issue, import, revoke, export and choose serving certificates; keys only ever in the secret store; every change audited and versioned.
import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { basename } from 'node:path';
import type { Database } from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import type { AuditService } from '../audit/audit-service';
import type { SecretStore } from '../crypto/secret-store';
import type { ChangeEpoch } from '../storage/change-epoch';
import { writeTransaction } from '../storage/database';
import { DEFAULT_TENANT_ID } from '../storage/migrations/0001-tenants-and-meta';
import type { MetaStore } from '../storage/meta';
import { createCertificateRows, keySecretName, SERVER_NAMES, serialArgument, toView, type CertificateKind, type CertificateRow, type CertificateView, type NewCertificateRow } from './certificate-rows';
import { buildCrlPem, isRevocationReason, REVOCATION_REASONS, type RevocationReason } from './crl';
import { writeExportFiles, type ExportFile } from './export-files';
import { buildCaCertificate, buildLeafCertificate, generateRsaKey, newSerial, validityFor } from './forge-build';
import { certificateFacts, issuedBy, parseCertificate, parseCertificates, parsePrivateKey, pkcs8Pem, serverCapable, type CertificateFacts } from './inspect';
import { fromPkcs12, toPkcs12 } from './pkcs12';
import { DEFAULT_SERVER_SANS, parseSans } from './san';
import { EXPIRING_WITHIN_DAYS, keySize, secondsLeft, validityDays, type KeySize } from './status';
import { createTrustSource, META_CERTS_VERSION } from './trust-source';
import type { ServerName, TlsTrustSource } from './types';

export type { CertificateKind, CertificateView } from './certificate-rows';
export type { CertificateStatus } from './status';

const MAX_CN_LENGTH = 64;
const DAY_MS = 86_400_000;
/** How long a CRL says it is good for; `devmesh certs crl` makes a fresh one whenever asked. */
const CRL_VALID_DAYS = 7;
const CA_CN_PREFIX = 'Developer Mesh Console CA';

/** Who makes a change: the audit subject and the tenant whose PKI it is (a Principal fits). */
export interface CertActor {
  subject: string;
  tenantId: string;
}

export interface CaOptions {
  commonName?: string | undefined;
  days?: number | string | undefined;
  keySize?: number | string | undefined;
}

export interface ServerCertOptions {
  /** DNS names and IPs; default localhost, 127.0.0.1, ::1. */
  sans?: readonly string[] | undefined;
  /** Default: the first SAN. */
  commonName?: string | undefined;
  days?: number | string | undefined;
  keySize?: number | string | undefined;
}

export interface ClientCertOptions {
  /** The identity the certificate names (CN). */
  commonName: string;
  /** Bind to a role: mTLS acts as `cert:<serial>` with it. Exclusive with `username`. */
  role?: string | undefined;
  /** Bind to a user of the actor's tenant: mTLS acts as that user. */
  username?: string | undefined;
  days?: number | string | undefined;
  keySize?: number | string | undefined;
}

export interface ImportInput {
  /** PEM text: the certificate, optionally followed by its chain (a fullchain.pem). */
  certPem: string;
  keyPem: string;
  chainPem?: string | undefined;
  /** How each input is named in errors, e.g. { cert: '--cert a.pem' }. */
  names?: { cert?: string; key?: string; chain?: string };
}

export interface ExportOptions {
  dir: string;
  /** A CA's private key is written only when asked for. */
  includeKey?: boolean | undefined;
  force?: boolean | undefined;
}

export interface ExportResult {
  certificate: CertificateView;
  files: string[];
  keyExported: boolean;
}

export interface ExpiryEntry {
  serial: string;
  kind: CertificateKind;
  subject_cn: string;
  not_after: string;
  seconds_left: number;
  is_current_ca: boolean;
  serving: ServerName[];
}

export interface ExpiryReport {
  /** Not revoked, ending within 30 days. */
  expiring: ExpiryEntry[];
  /** Not revoked and already ended, where it still matters: serving, the current CA, or ended within the last 30 days. */
  expired: ExpiryEntry[];
}

export interface CertificateService extends TlsTrustSource {
  createCa(actor: CertActor, options?: CaOptions): CertificateView;
  /** A new current CA; the old one stays trusted for client certificates until it expires. */
  rotateCa(actor: CertActor, options?: CaOptions): { current: CertificateView; previous: CertificateView };
  issueServer(actor: CertActor, options?: ServerCertOptions): CertificateView;
  issueClient(actor: CertActor, options: ClientCertOptions): CertificateView;
  importCertificate(actor: CertActor, input: ImportInput): CertificateView;
  importPkcs12(actor: CertActor, input: { der: Buffer; password: string; name?: string }): CertificateView;
  list(tenantId?: string): CertificateView[];
  /** By serial or a unique prefix of one; NOT_FOUND otherwise. */
  get(tenantId: string, serial: string): CertificateView;
  /** The current CA's certificate, or NOT_FOUND telling how to create one. */
  currentCaPem(tenantId?: string): { serial: string; pem: string };
  revoke(actor: CertActor, serial: string, reason?: string): CertificateView;
  /** A CRL signed by the current CA (or the given CA), listing what it issued and the mesh revoked. */
  crlPem(tenantId?: string, caSerial?: string): { pem: string; ca: string; revoked: string[] };
  exportPem(actor: CertActor, serial: string, options: ExportOptions): ExportResult;
  exportP12(actor: CertActor, serial: string, options: ExportOptions & { password: string }): ExportResult;
  /** Makes a certificate the one `servers` present; refuses anything that could not serve. */
  use(actor: CertActor, serial: string, servers: readonly ServerName[]): { certificate: CertificateView; previous: Record<ServerName, string | null> };
  serving(tenantId?: string): Record<ServerName, string | null>;
  /** Certificates (not revoked) whose end is within `days` days or past, soonest first. */
  expiringSoon(days?: number, tenantId?: string): CertificateView[];
  certificateExpiryReport(now?: Date, tenantId?: string): ExpiryReport;
  /** The report, each entry also written as a `certificate_expiring` audit event (for a daily check). */
  warnExpiring(now?: Date, tenantId?: string): ExpiryReport;
}

export interface CertificateServiceDeps {
  db: Database;
  secrets: SecretStore;
  meta: MetaStore;
  audit: Pick<AuditService, 'append'>;
  epoch?: ChangeEpoch | undefined;
  now?: () => Date;
  /** Whether a role exists (for client certificates bound to one); without it any role name is taken. */
  roleExists?: ((role: string) => boolean) | undefined;
}

function invalid(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message);
}

function commonNameOption(value: string, field: string): string {
  const cn = value.trim();
  if (cn === '' || cn.length > MAX_CN_LENGTH) throw invalid(`${field} must be 1 to ${MAX_CN_LENGTH} characters`);
  if (/\p{Cc}/u.test(cn)) throw invalid(`${field} must not contain control characters`);
  return cn;
}

function factsRow(facts: CertificateFacts, certPem: string): Pick<NewCertificateRow, 'serial' | 'subject_cn' | 'subject' | 'sans' | 'not_before' | 'not_after' | 'sha256' | 'sha1' | 'cert_pem'> {
  return { serial: facts.serial, subject_cn: facts.subjectCn, subject: facts.subject, sans: JSON.stringify(facts.sans), not_before: facts.notBefore, not_after: facts.notAfter, sha256: facts.sha256, sha1: facts.sha1, cert_pem: certPem };
}

/** Orders certificates from a bundle into the path from `leaf` upwards; certificates not on the path are left out. */
function chainFrom(leaf: X509Certificate, others: X509Certificate[]): X509Certificate[] {
  const path: X509Certificate[] = [];
  const left = [...others];
  let child = leaf;
  for (;;) {
    const index = left.findIndex((candidate) => issuedBy(child, candidate));
    if (index < 0 || issuedBy(child, child)) return path;
    const parent = left.splice(index, 1)[0] as X509Certificate;
    path.push(parent);
    child = parent;
  }
}

function keyMatches(cert: X509Certificate, key: KeyObject): boolean {
  try {
    return cert.checkPrivateKey(key);
  } catch {
    return false;
  }
}

export function createCertificateService({ db, secrets, meta, audit, epoch, now = () => new Date(), roleExists }: CertificateServiceDeps): CertificateService {
  const rows = createCertificateRows(db);
  const trust = createTrustSource({ rows, secrets, meta, epoch, now });

  function bump(tenantId: string): void {
    meta.set(META_CERTS_VERSION, String(Number(meta.get(META_CERTS_VERSION, tenantId) ?? '0') + 1), tenantId);
  }

  /** Runs a write and makes this process's TLS view forget what it read. */
  function write<T>(work: () => T): T {
    try {
      return writeTransaction(db, work);
    } finally {
      trust.invalidate();
    }
  }

  function view(row: CertificateRow): CertificateView {
    return toView(row, rows.serving(row.tenant_id), now());
  }

  function record(actor: CertActor, eventType: string, action: string, row: { serial: string; kind: string; subject: string; not_after: string }, extra: Record<string, unknown> = {}): void {
    audit.append({
      event_type: eventType,
      subject: actor.subject,
      action,
      resource: `certificate:${row.serial}`,
      result: 'success',
      tenant_id: actor.tenantId,
      metadata: { serial: row.serial, kind: row.kind, subject: row.subject, not_after: row.not_after, ...extra },
    });
  }

  function find(tenantId: string, raw: string): CertificateRow {
    const serial = serialArgument(raw);
    const exact = rows.one(tenantId, serial);
    if (exact !== undefined) return exact;
    const matches = serial.length >= 4 ? rows.withPrefix(tenantId, serial) : [];
    if (matches.length === 1) return rows.one(tenantId, matches[0] as string) as CertificateRow;
    if (matches.length > 1) throw invalid(`serial prefix ${serial} matches several certificates (${matches.join(', ')}); give more of it`);
    throw new AppError('NOT_FOUND', `no certificate ${serial}; see \`devmesh certs list\``);
  }

  function requireCurrentCa(tenantId: string): CertificateRow {
    const ca = rows.currentCa(tenantId);
    if (ca === undefined) throw new AppError('NOT_FOUND', 'there is no certificate authority yet: run `devmesh certs ca create` first');
    return ca;
  }

  function keyPemOf(row: CertificateRow): string {
    const key = row.has_key === 1 ? secrets.get(row.tenant_id, keySecretName(row.serial)) : undefined;
    if (key === undefined) throw invalid(`certificate ${row.serial} has no private key in the mesh`);
    return key.toString('utf8');
  }

  /** The CA that signs a new leaf: current, unexpired, and outliving the leaf. */
  function signingCa(tenantId: string, notAfter: Date): { row: CertificateRow; keyPem: string } {
    const ca = requireCurrentCa(tenantId);
    const caEnd = Date.parse(ca.not_after);
    if (caEnd <= now().getTime()) throw invalid(`the CA ${ca.serial} expired on ${ca.not_after}; rotate it with \`devmesh certs ca rotate\``);
    if (notAfter.getTime() > caEnd) {
      throw invalid(`the CA ${ca.serial} ends on ${ca.not_after}, before the ${Math.ceil((notAfter.getTime() - now().getTime()) / DAY_MS)} days asked for; choose fewer --days or rotate the CA (\`devmesh certs ca rotate\`)`);
    }
    return { row: ca, keyPem: keyPemOf(ca) };
  }

  function newCa(actor: CertActor, options: CaOptions): { row: NewCertificateRow; keyPem: string } {
    const days = validityDays('ca', options.days);
    const bits: KeySize = keySize('ca', options.keySize);
    const serial = newSerial();
    const commonName = options.commonName === undefined ? `${CA_CN_PREFIX} ${serial.slice(0, 8)}` : commonNameOption(options.commonName, '--cn');
    const key = generateRsaKey(bits);
    const certPem = buildCaCertificate({ serial, commonName, validity: validityFor(days, now()), key });
    const facts = certificateFacts(parseCertificate(certPem, 'the new CA'));
    return {
      keyPem: key.keyPem,
      row: { ...factsRow(facts, certPem), tenant_id: actor.tenantId, kind: 'ca', issuer_serial: null, chain_pem: '', has_key: 1, bound_role: null, bound_user_id: null, created_by: actor.subject, created_at: now().toISOString(), is_current_ca: 1 },
    };
  }

  function store(row: NewCertificateRow, keyPem: string): void {
    if (rows.one(row.tenant_id, row.serial) !== undefined) throw new AppError('CONFLICT', `certificate ${row.serial} is already in the mesh`);
    rows.insert(row);
    secrets.put(row.tenant_id, keySecretName(row.serial), Buffer.from(keyPem, 'utf8'));
    bump(row.tenant_id);
  }

  function issueLeaf(actor: CertActor, kind: 'server' | 'client', input: { commonName: string; sans: ReturnType<typeof parseSans> | undefined; days: number; bits: KeySize; role: string | null; userId: string | null }): CertificateView {
    const validity = validityFor(input.days, now());
    const ca = signingCa(actor.tenantId, validity.notAfter);
    const key = generateRsaKey(input.bits);
    const serial = newSerial();
    const certPem = buildLeafCertificate({ kind, serial, commonName: input.commonName, sans: input.sans, validity, publicKey: key.publicKey, issuer: { certPem: ca.row.cert_pem, keyPem: ca.keyPem } });
    const facts = certificateFacts(parseCertificate(certPem, 'the new certificate'));
    const row: NewCertificateRow = {
      ...factsRow(facts, certPem),
      tenant_id: actor.tenantId,
      kind,
      issuer_serial: ca.row.serial,
      chain_pem: '',
      has_key: 1,
      bound_role: input.role,
      bound_user_id: input.userId,
      created_by: actor.subject,
      created_at: now().toISOString(),
      is_current_ca: 0,
    };
    write(() => {
      if (rows.currentCa(actor.tenantId)?.serial !== ca.row.serial) throw new AppError('CONFLICT', 'the CA was rotated meanwhile; nothing was issued, try again');
      store(row, key.keyPem);
    });
    const extra: Record<string, unknown> = { sans: facts.sans, issuer_serial: ca.row.serial };
    if (input.role !== null) extra.bound_role = input.role;
    if (input.userId !== null) extra.bound_user_id = input.userId;
    record(actor, 'certificate_issued', 'issue', row, extra);
    return view(rows.one(actor.tenantId, serial) as CertificateRow);
  }

  function filesFor(row: CertificateRow, includeKey: boolean): { keyPem: string | undefined; chain: string[] } {
    const wantsKey = row.kind === 'ca' ? includeKey : row.has_key === 1;
    const keyPem = wantsKey ? keyPemOf(row) : undefined;
    let chain: string[] = [];
    if (row.kind !== 'ca') {
      if (row.chain_pem !== '') chain = parseCertificates(row.chain_pem, `the chain of ${row.serial}`).map((c) => c.toString());
      else if (row.issuer_serial !== null) chain = [rows.one(row.tenant_id, row.issuer_serial)?.cert_pem ?? ''].filter((pem) => pem !== '');
    }
    return { keyPem, chain };
  }

  function exported(actor: CertActor, row: CertificateRow, format: 'pem' | 'pkcs12', files: string[], keyExported: boolean): ExportResult {
    // Not `private_key`: the audit redactor would (rightly) blank any field so named.
    record(actor, 'certificate_exported', 'export', row, { format, key_included: keyExported, files: files.map((f) => basename(f)) });
    return { certificate: view(row), files, keyExported };
  }

  function expiryEntries(tenantId: string, at: Date): ExpiryEntry[] {
    const serving = rows.serving(tenantId);
    return rows
      .all(tenantId)
      .filter((row) => row.revoked_at === null)
      .map((row) => ({
        serial: row.serial,
        kind: row.kind,
        subject_cn: row.subject_cn,
        not_after: row.not_after,
        seconds_left: secondsLeft(row.not_after, at),
        is_current_ca: row.is_current_ca === 1,
        serving: SERVER_NAMES.filter((server) => serving[server] === row.serial),
      }))
      .sort((a, b) => a.seconds_left - b.seconds_left);
  }

  function report(at: Date, tenantId: string): ExpiryReport {
    const window = EXPIRING_WITHIN_DAYS * 86_400;
    const entries = expiryEntries(tenantId, at);
    return {
      expiring: entries.filter((e) => e.seconds_left > 0 && e.seconds_left <= window),
      expired: entries.filter((e) => e.seconds_left <= 0 && (e.is_current_ca || e.serving.length > 0 || e.seconds_left > -window)),
    };
  }

  function importCertificate(actor: CertActor, input: ImportInput): CertificateView {
    const names = { cert: 'the certificate', key: 'the private key', chain: 'the chain', ...input.names };
    const [leaf, ...bundled] = parseCertificates(input.certPem, names.cert) as [X509Certificate, ...X509Certificate[]];
    const extra = input.chainPem === undefined ? [] : parseCertificates(input.chainPem, names.chain);
    const key = parsePrivateKey(input.keyPem, names.key);
    if (!keyMatches(leaf, key)) throw invalid(`${names.key} does not belong to ${names.cert} (key/cert mismatch); nothing was imported`);
    const facts = certificateFacts(leaf);
    if (Date.parse(facts.notAfter) <= now().getTime()) throw invalid(`${names.cert} expired on ${facts.notAfter}; nothing was imported`);
    const given = [...bundled, ...extra];
    const chain = chainFrom(leaf, given);
    if (given.length > 0 && chain.length === 0) throw invalid(`the chain given (${input.chainPem === undefined ? names.cert : names.chain}) does not contain the issuer of ${names.cert}; nothing was imported`);
    const issuer = rows.all(actor.tenantId).find((row) => row.kind === 'ca' && issuedBy(leaf, parseCertificate(row.cert_pem, row.serial)));
    const row: NewCertificateRow = {
      ...factsRow(facts, leaf.toString()),
      tenant_id: actor.tenantId,
      kind: 'imported',
      issuer_serial: issuer?.serial ?? null,
      chain_pem: chain.map((c) => c.toString()).join(''),
      has_key: 1,
      bound_role: null,
      bound_user_id: null,
      created_by: actor.subject,
      created_at: now().toISOString(),
      is_current_ca: 0,
    };
    write(() => store(row, pkcs8Pem(key)));
    record(actor, 'certificate_imported', 'import', row, { sans: facts.sans, issuer: facts.issuer, chain_length: chain.length });
    return view(rows.one(actor.tenantId, row.serial) as CertificateRow);
  }

  return {
    servingMaterial: (server) => trust.servingMaterial(server),
    clientCaPems: () => trust.clientCaPems(),
    isRevoked: (serial) => trust.isRevoked(serial),
    identityFor: (serial) => trust.identityFor(serial),
    version: () => trust.version(),

    createCa(actor, options = {}) {
      const existing = rows.currentCa(actor.tenantId);
      if (existing !== undefined) throw new AppError('CONFLICT', `a CA already exists (${existing.serial}, ${existing.subject_cn}); replace it with \`devmesh certs ca rotate\``);
      const { row, keyPem } = newCa(actor, options);
      write(() => {
        if (rows.currentCa(actor.tenantId) !== undefined) throw new AppError('CONFLICT', 'another process created a CA meanwhile; see `devmesh certs list`');
        store(row, keyPem);
      });
      record(actor, 'ca_created', 'create', row, { key_algorithm: `RSA ${keySize('ca', options.keySize)}` });
      return view(rows.one(actor.tenantId, row.serial) as CertificateRow);
    },

    rotateCa(actor, options = {}) {
      const previous = requireCurrentCa(actor.tenantId);
      const { row, keyPem } = newCa(actor, options);
      write(() => {
        if (rows.currentCa(actor.tenantId)?.serial !== previous.serial) throw new AppError('CONFLICT', 'the CA was rotated meanwhile by another process; see `devmesh certs list`');
        rows.retireCurrentCa(actor.tenantId);
        store(row, keyPem);
      });
      record(actor, 'ca_rotated', 'rotate', row, { previous_serial: previous.serial, previous_not_after: previous.not_after });
      return { current: view(rows.one(actor.tenantId, row.serial) as CertificateRow), previous: view(rows.one(actor.tenantId, previous.serial) as CertificateRow) };
    },

    issueServer(actor, options = {}) {
      const sans = parseSans(options.sans ?? DEFAULT_SERVER_SANS);
      const days = validityDays('server', options.days);
      const bits = keySize('server', options.keySize);
      const first = sans.dns[0] ?? sans.ips[0] ?? 'devmesh server';
      const commonName = options.commonName !== undefined ? commonNameOption(options.commonName, '--cn') : first.length <= MAX_CN_LENGTH ? first : 'devmesh server';
      return issueLeaf(actor, 'server', { commonName, sans, days, bits, role: null, userId: null });
    },

    issueClient(actor, options) {
      const commonName = commonNameOption(options.commonName, '--cn');
      const days = validityDays('client', options.days);
      const bits = keySize('client', options.keySize);
      if (options.role !== undefined && options.username !== undefined) throw invalid('--role and --user are exclusive: a client certificate acts as a user (with their role) or as itself with a role');
      let userId: string | null = null;
      if (options.username !== undefined) {
        const user = rows.userByName(actor.tenantId, options.username);
        if (user === undefined) throw new AppError('NOT_FOUND', `no user ${JSON.stringify(options.username)} in tenant ${actor.tenantId}; see \`devmesh users list\``);
        userId = user.id;
      }
      const role = options.role ?? null;
      if (role !== null && roleExists !== undefined && !roleExists(role)) throw invalid(`role ${JSON.stringify(role)} does not exist; see \`devmesh roles list\``);
      return issueLeaf(actor, 'client', { commonName, sans: undefined, days, bits, role, userId });
    },

    importCertificate,

    importPkcs12(actor, { der, password, name = 'the PKCS#12 file' }) {
      const contents = fromPkcs12(der, password, name);
      const key = parsePrivateKey(contents.keyPem, `the private key in ${name}`);
      const certs = contents.certPems.map((pem) => parseCertificate(pem, name));
      const leaf = certs.find((cert) => keyMatches(cert, key));
      if (leaf === undefined) throw invalid(`${name}: no certificate in it belongs to its private key (key/cert mismatch); nothing was imported`);
      const chain = chainFrom(leaf, certs.filter((cert) => cert !== leaf));
      return importCertificate(actor, { certPem: leaf.toString(), keyPem: contents.keyPem, chainPem: chain.length === 0 ? undefined : chain.map((c) => c.toString()).join(''), names: { cert: name, key: name, chain: name } });
    },

    list: (tenantId = DEFAULT_TENANT_ID) => {
      const serving = rows.serving(tenantId);
      const at = now();
      return rows.all(tenantId).map((row) => toView(row, serving, at));
    },

    get: (tenantId, serial) => view(find(tenantId, serial)),

    currentCaPem(tenantId = DEFAULT_TENANT_ID) {
      const ca = requireCurrentCa(tenantId);
      return { serial: ca.serial, pem: ca.cert_pem };
    },

    revoke(actor, serial, reason = 'unspecified') {
      if (!isRevocationReason(reason)) throw invalid(`--reason ${JSON.stringify(reason)}: use one of ${Object.keys(REVOCATION_REASONS).join(', ')}`);
      const row = find(actor.tenantId, serial);
      if (row.kind === 'ca') throw invalid(`${row.serial} is a CA certificate; CAs are not revoked but replaced: \`devmesh certs ca rotate\``);
      if (row.revoked_at !== null) throw new AppError('CONFLICT', `certificate ${row.serial} was already revoked on ${row.revoked_at}`);
      const serving = SERVER_NAMES.filter((server) => rows.serving(actor.tenantId)[server] === row.serial);
      if (serving.length > 0) {
        throw new AppError('CONFLICT', `certificate ${row.serial} is what the ${serving.join(' and ')} server${serving.length > 1 ? 's present' : ' presents'}; choose another first (\`devmesh certs use <serial> --server ${serving.length > 1 ? 'both' : serving[0]}\`)`);
      }
      const at = now().toISOString();
      write(() => {
        rows.revoke(actor.tenantId, row.serial, at, reason);
        bump(actor.tenantId);
      });
      record(actor, 'certificate_revoked', 'revoke', row, { reason: reason as RevocationReason });
      return view(rows.one(actor.tenantId, row.serial) as CertificateRow);
    },

    crlPem(tenantId = DEFAULT_TENANT_ID, caSerial) {
      const ca = caSerial === undefined ? requireCurrentCa(tenantId) : find(tenantId, caSerial);
      if (ca.kind !== 'ca') throw invalid(`${ca.serial} is not a CA certificate`);
      const revoked = rows.all(tenantId).filter((row) => row.issuer_serial === ca.serial && row.revoked_at !== null);
      const thisUpdate = now();
      const pem = buildCrlPem({
        caCertPem: ca.cert_pem,
        caKeyPem: keyPemOf(ca),
        revoked: revoked.map((row) => ({ serial: row.serial, revokedAt: new Date(row.revoked_at as string), reason: row.revocation_reason })),
        thisUpdate,
        nextUpdate: new Date(thisUpdate.getTime() + CRL_VALID_DAYS * DAY_MS),
        // Seconds since 1970: grows with every CRL made, without a counter to write (making a CRL changes nothing).
        crlNumber: Math.floor(thisUpdate.getTime() / 1000),
      });
      return { pem, ca: ca.serial, revoked: revoked.map((row) => row.serial) };
    },

    exportPem(actor, serial, options) {
      const row = find(actor.tenantId, serial);
      const { keyPem, chain } = filesFor(row, options.includeKey === true);
      const files: ExportFile[] = [{ name: `${row.serial}.crt`, content: row.cert_pem, mode: 0o644 }];
      if (keyPem !== undefined) files.push({ name: `${row.serial}.key`, content: keyPem, mode: 0o600 });
      if (chain.length > 0) files.push({ name: `${row.serial}-chain.crt`, content: chain.join(''), mode: 0o644 });
      const written = writeExportFiles(options.dir, files, { force: options.force === true, flag: '--out' });
      return exported(actor, row, 'pem', written, keyPem !== undefined);
    },

    exportP12(actor, serial, options) {
      const row = find(actor.tenantId, serial);
      const { keyPem, chain } = filesFor(row, options.includeKey === true);
      const der = toPkcs12({ keyPem, certPem: row.cert_pem, chainPems: chain, password: options.password, friendlyName: row.subject_cn || row.serial });
      const written = writeExportFiles(options.dir, [{ name: `${row.serial}.p12`, content: der, mode: 0o600 }], { force: options.force === true, flag: '--out' });
      return exported(actor, row, 'pkcs12', written, keyPem !== undefined);
    },

    use(actor, serial, servers) {
      if (servers.length === 0) throw invalid('--server must be api, mcp or both');
      const row = find(actor.tenantId, serial);
      const cert = parseCertificate(row.cert_pem, row.serial);
      const facts = certificateFacts(cert);
      if (row.kind === 'ca' || facts.isCa) throw invalid(`${row.serial} is a CA certificate; a server presents a server certificate (\`devmesh certs issue server\`)`);
      if (row.kind === 'client' || (row.kind === 'imported' && !serverCapable(facts))) {
        throw invalid(`${row.serial} is not a server certificate (its extended key usage is ${facts.extKeyUsage?.join(', ') ?? 'none'}); issue one with \`devmesh certs issue server\``);
      }
      if (row.revoked_at !== null) throw invalid(`${row.serial} was revoked on ${row.revoked_at}; it cannot serve`);
      const at = now().getTime();
      if (Date.parse(row.not_after) <= at) throw invalid(`${row.serial} expired on ${row.not_after}; it cannot serve (issue a new one with \`devmesh certs issue server\`)`);
      if (Date.parse(row.not_before) > at) throw invalid(`${row.serial} is not valid before ${row.not_before}`);
      let key: KeyObject;
      try {
        key = createPrivateKey(keyPemOf(row));
      } catch (cause) {
        if (cause instanceof AppError) throw cause;
        throw invalid(`the stored private key of ${row.serial} cannot be read; it cannot serve`);
      }
      if (!keyMatches(cert, key)) throw invalid(`the stored private key of ${row.serial} does not match its certificate; it cannot serve`);
      const previous = rows.serving(actor.tenantId);
      const changedAt = now().toISOString();
      write(() => {
        if (rows.one(actor.tenantId, row.serial)?.revoked_at !== null) throw new AppError('CONFLICT', `${row.serial} was revoked meanwhile; nothing was changed`);
        for (const server of servers) rows.setServing(actor.tenantId, server, row.serial, actor.subject, changedAt);
        bump(actor.tenantId);
      });
      record(actor, 'tls_certificate_selected', 'select', row, { servers: [...servers], previous: Object.fromEntries(servers.map((s) => [s, previous[s]])) });
      return { certificate: view(rows.one(actor.tenantId, row.serial) as CertificateRow), previous };
    },

    serving: (tenantId = DEFAULT_TENANT_ID) => rows.serving(tenantId),

    expiringSoon(days = EXPIRING_WITHIN_DAYS, tenantId = DEFAULT_TENANT_ID) {
      const limit = now().getTime() + days * DAY_MS;
      const serving = rows.serving(tenantId);
      const at = now();
      return rows
        .all(tenantId)
        .filter((row) => row.revoked_at === null && Date.parse(row.not_after) <= limit)
        .sort((a, b) => Date.parse(a.not_after) - Date.parse(b.not_after))
        .map((row) => toView(row, serving, at));
    },

    certificateExpiryReport: (at = now(), tenantId = DEFAULT_TENANT_ID) => report(at, tenantId),

    warnExpiring(at = now(), tenantId = DEFAULT_TENANT_ID) {
      const result = report(at, tenantId);
      for (const entry of [...result.expired, ...result.expiring]) {
        audit.append({
          event_type: 'certificate_expiring',
          subject: 'system',
          action: 'check',
          resource: `certificate:${entry.serial}`,
          result: 'success',
          tenant_id: tenantId,
          metadata: { serial: entry.serial, kind: entry.kind, subject_cn: entry.subject_cn, not_after: entry.not_after, seconds_left: entry.seconds_left, expired: entry.seconds_left <= 0, serving: entry.serving, is_current_ca: entry.is_current_ca },
        });
      }
      return result;
    },
  };
}
