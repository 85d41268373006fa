// What the certificate tests share: a certificate service over a real SQLite file with real envelope encryption, and openssl to check what it makes.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createAuditService, type AuditService } from '../../src/main/core/audit/audit-service';
import { createCertificateService, type CertActor, type CertificateService } from '../../src/main/core/certs/certificate-service';
import { createEnvelopeCipher } from '../../src/main/core/crypto/envelope';
import { createSecretStore, type SecretStore } from '../../src/main/core/crypto/secret-store';
import { createChangeEpoch } from '../../src/main/core/storage/change-epoch';
import { openStorage, type Storage } from '../../src/main/core/storage/database';
import { createMetaStore } from '../../src/main/core/storage/meta';
import { tempDir } from './temp-dir';

export const OPERATOR: CertActor = { subject: 'cli:test', tenantId: 'default' };

export interface Pki {
  certs: CertificateService;
  storage: Storage;
  audit: AuditService;
  secrets: SecretStore;
  file: string;
  masterKey: Buffer;
}

const opened: { storage: Storage; audit: AuditService }[] = [];
afterEach(async () => {
  for (const { storage, audit } of opened.splice(0)) {
    await audit.close();
    storage.close();
  }
});

/** A service over `file` (a new temp database unless given) with its own connection, as another process would have. */
export function openPki(options: { file?: string; masterKey?: Buffer; now?: () => Date; roleExists?: (role: string) => boolean } = {}): Pki {
  const file = options.file ?? join(tempDir(), 'pki.db');
  const masterKey = options.masterKey ?? randomBytes(32);
  const storage = openStorage({ file });
  const cipher = createEnvelopeCipher({ masterKey, keyVersion: 1 });
  const secrets = createSecretStore({ db: storage.db, cipher: () => cipher });
  const audit = createAuditService({ db: storage.db });
  opened.push({ storage, audit });
  const certs = createCertificateService({ db: storage.db, secrets, meta: createMetaStore(storage.db), audit, epoch: createChangeEpoch(storage.db), now: options.now, roleExists: options.roleExists });
  return { certs, storage, audit, secrets, file, masterKey };
}

export interface OpensslResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs openssl with `args` in `cwd`. */
export function openssl(args: string[], options: { cwd?: string; input?: string } = {}): OpensslResult {
  const result = spawnSync('openssl', args, { cwd: options.cwd, input: options.input ?? '', encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Writes PEM text to a file in `dir` and returns its path. */
export function pemFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A self-signed certificate and key made by openssl (not by the mesh), for import tests; not a CA unless asked (openssl req -x509 makes CAs by default). */
export function opensslSelfSigned(dir: string, name: string, args: string[] = [], { ca = false } = {}): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const constraints = ['-addext', `basicConstraints=critical,CA:${ca ? 'TRUE' : 'FALSE'}`];
  const made = openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', `/CN=${name}`, ...constraints, ...args]);
  if (made.status !== 0) throw new Error(`openssl req failed: ${made.stderr}`);
  return { cert, key };
}
