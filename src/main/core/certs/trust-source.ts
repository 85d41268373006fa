// The PKI as the TLS layer reads it on every handshake: one snapshot of CAs, revocations and bindings, rebuilt only when the certs version moved (in any process).
import type { SecretStore } from '../crypto/secret-store';
import type { ChangeEpoch } from '../storage/change-epoch';
import { DEFAULT_TENANT_ID } from '../storage/migrations/0001-tenants-and-meta';
import type { MetaStore } from '../storage/meta';
import { keySecretName, type CertificateRow, type CertificateRows } from './certificate-rows';
import { parseCertificates, issuedBy } from './inspect';
import { normalizeSerial, type CertificateIdentity, type ServerName, type ServingMaterial, type TlsTrustSource } from './types';

/** Meta key (per tenant) bumped by every change to certificates, CAs, revocations and serving choices. */
export const META_CERTS_VERSION = 'certs_version';

interface Snapshot {
  version: number;
  revoked: Set<string>;
  identities: Map<string, { identity: CertificateIdentity; notAfter: number }>;
  cas: { pem: string; notAfter: number }[];
  /** Filled on first use: serving material means decrypting a private key. */
  serving: Map<ServerName, ServingMaterial | undefined>;
}

export interface TrustSourceDeps {
  rows: CertificateRows;
  secrets: SecretStore;
  meta: MetaStore;
  epoch?: ChangeEpoch | undefined;
  now: () => Date;
}

/** The intermediates an imported certificate came with, without a self-signed root (clients hold that themselves). */
function intermediates(row: CertificateRow): string[] {
  if (row.chain_pem === '') return [];
  return parseCertificates(row.chain_pem, `the chain of ${row.serial}`)
    .filter((cert) => !issuedBy(cert, cert))
    .map((cert) => cert.toString());
}

function dnsNames(row: CertificateRow): string[] {
  return (JSON.parse(row.sans) as string[]).filter((san) => san.startsWith('DNS:')).map((san) => san.slice(4).toLowerCase());
}

export interface TrustSource extends TlsTrustSource {
  /** Forget what was read: this process just changed the PKI (the epoch is remembered for the rest of the event-loop turn). */
  invalidate(): void;
}

export function createTrustSource({ rows, secrets, meta, epoch, now }: TrustSourceDeps): TrustSource {
  const tenantId = DEFAULT_TENANT_ID;
  let checkedEpoch = Number.NaN;
  let version = 0;
  let snapshot: Snapshot | undefined;

  function readVersion(): number {
    // With an epoch, the meta row is read only when some connection committed something since the last look.
    if (epoch !== undefined) {
      const current = epoch.read();
      if (current === checkedEpoch) return version;
      checkedEpoch = current;
    }
    version = Number(meta.get(META_CERTS_VERSION, tenantId) ?? '0');
    return version;
  }

  function load(at: number): Snapshot {
    const all = rows.all(tenantId);
    const identities = new Map<string, { identity: CertificateIdentity; notAfter: number }>();
    for (const row of all) {
      if (row.kind !== 'client' || row.revoked_at !== null) continue;
      const notAfter = Date.parse(row.not_after);
      if (row.bound_user_id !== null) identities.set(row.serial, { notAfter, identity: { kind: 'user', serial: row.serial, tenantId, userId: row.bound_user_id, commonName: row.subject_cn } });
      else if (row.bound_role !== null) identities.set(row.serial, { notAfter, identity: { kind: 'role', serial: row.serial, tenantId, role: row.bound_role, commonName: row.subject_cn } });
    }
    return {
      version: at,
      revoked: new Set(all.filter((row) => row.revoked_at !== null).map((row) => row.serial)),
      identities,
      cas: all.filter((row) => row.kind === 'ca' && row.revoked_at === null).map((row) => ({ pem: row.cert_pem, notAfter: Date.parse(row.not_after) })),
      serving: new Map(),
    };
  }

  function current(): Snapshot {
    const at = readVersion();
    if (snapshot === undefined || snapshot.version !== at) snapshot = load(at);
    return snapshot;
  }

  function material(server: ServerName): ServingMaterial | undefined {
    const serial = rows.serving(tenantId)[server];
    if (serial === null) return undefined;
    const row = rows.one(tenantId, serial);
    const key = secrets.get(tenantId, keySecretName(serial));
    if (row === undefined || key === undefined) return undefined;
    return { serial, certPem: row.cert_pem, keyPem: key.toString('utf8'), chainPem: intermediates(row), dnsNames: dnsNames(row) };
  }

  return {
    servingMaterial(server) {
      const snap = current();
      if (!snap.serving.has(server)) snap.serving.set(server, material(server));
      return snap.serving.get(server);
    },
    clientCaPems() {
      const at = now().getTime();
      return current().cas.filter((ca) => ca.notAfter > at).map((ca) => ca.pem);
    },
    isRevoked: (serial) => current().revoked.has(normalizeSerial(serial)),
    identityFor(serial) {
      const found = current().identities.get(normalizeSerial(serial));
      return found !== undefined && found.notAfter > now().getTime() ? found.identity : undefined;
    },
    /**
     * The certs counter plus how many mesh CAs have expired: both only grow, so the sum moves whenever either does.
     * A rotated CA reaching its end changes the client CAs without any write, and servers must reload for that too.
     */
    version() {
      const at = now().getTime();
      return readVersion() + current().cas.filter((ca) => ca.notAfter <= at).length;
    },
    invalidate() {
      checkedEpoch = Number.NaN;
      snapshot = undefined;
    },
  };
}
