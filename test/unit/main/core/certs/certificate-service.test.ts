// The certificate service over a real SQLite file: CA life cycle, what it issues (checked with openssl), keys only encrypted, revocation seen by another connection, serving choices that refuse anything broken, import, expiry report.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CertificateView } from '../../../../../src/main/core/certs/certificate-service';
import { errorOf } from '../../../../helpers/errors';
import { openPki, OPERATOR, openssl, opensslSelfSigned, pemFile, type Pki } from '../../../../helpers/certs';
import { tempDir } from '../../../../helpers/temp-dir';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const DAY = 86_400_000;
const FAST = { keySize: 2048 };

/** A clock the test moves. */
function clock(start = Date.now()): { now: () => Date; advance: (ms: number) => void } {
  let at = start;
  return { now: () => new Date(at), advance: (ms) => (at += ms) };
}

function withCa(options: Parameters<typeof openPki>[0] = {}): Pki & { ca: CertificateView } {
  const pki = openPki(options);
  return { ...pki, ca: pki.certs.createCa(OPERATOR, FAST) };
}

function ext(dir: string, file: string, names: string): string {
  const result = openssl(['x509', '-in', file, '-noout', '-ext', names], { cwd: dir });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

function addUser(pki: Pki, id: string, username: string, tenant = 'default'): void {
  pki.storage.db.prepare("INSERT INTO users (id, tenant_id, username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, 'h', 'user', 'now', 'now')").run(id, tenant, username);
}

describe('the certificate authority', () => {
  it('creates one CA (RSA 3072 by default, ten years) whose key is only in the secret store, encrypted', () => {
    const pki = openPki();
    const ca = pki.certs.createCa(OPERATOR);
    expect(ca).toMatchObject({ kind: 'ca', is_ca: true, is_current_ca: true, has_key: true, key_algorithm: 'RSA 3072', status: 'valid', issuer_serial: null, created_by: 'cli:test', sans: [] });
    expect(ca.serial).toMatch(/^[1-7][0-9a-f]{31}$/);
    expect(ca.subject_cn).toBe(`Developer Mesh Console CA ${ca.serial.slice(0, 8)}`);
    expect(Math.round((Date.parse(ca.not_after) - Date.now()) / DAY)).toBe(3650);
    expect(ca.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(ca.sha1).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);

    expect(pki.secrets.names('default')).toEqual([`cert_key:${ca.serial}`]);
    expect(pki.secrets.get('default', `cert_key:${ca.serial}`)?.toString()).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const stored = pki.storage.db.prepare('SELECT ciphertext FROM secrets').pluck().get() as Buffer;
    expect(stored.includes('PRIVATE KEY')).toBe(false);
    const rowText = JSON.stringify(pki.storage.db.prepare('SELECT * FROM certificates').all());
    expect(rowText).not.toMatch(/PRIVATE KEY/);

    const again = errorOf(() => pki.certs.createCa(OPERATOR, FAST));
    expect(again.code).toBe('CONFLICT');
    expect(again.message).toMatch(/a CA already exists .*devmesh certs ca rotate/);
  });

  it('has critical CA:true pathlen 0 and keyCertSign+cRLSign, and signs with SHA-256', () => {
    const { certs, ca } = withCa();
    const dir = tempDir();
    pemFile(dir, 'ca.pem', certs.currentCaPem().pem);
    const text = ext(dir, 'ca.pem', 'basicConstraints,keyUsage,subjectKeyIdentifier,authorityKeyIdentifier');
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Certificate Sign, CRL Sign\n/);
    const ski = /Subject Key Identifier: \n\s+([0-9A-F:]+)/.exec(text)?.[1];
    expect(text).toMatch(new RegExp(`Authority Key Identifier: \\n\\s+${ski}`));
    expect(openssl(['x509', '-in', 'ca.pem', '-noout', '-text'], { cwd: dir }).stdout).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(openssl(['verify', '-CAfile', 'ca.pem', 'ca.pem'], { cwd: dir }).stdout).toBe('ca.pem: OK\n');
    expect(ca.subject).toBe(`CN=${ca.subject_cn}, O=Developer Mesh Console`);
  });

  it('refuses to issue without a CA, telling how to make one', () => {
    const pki = openPki();
    for (const issue of [() => pki.certs.issueServer(OPERATOR), () => pki.certs.issueClient(OPERATOR, { commonName: 'agent' })]) {
      const error = errorOf(issue);
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toBe('there is no certificate authority yet: run `devmesh certs ca create` first');
    }
  });

  it('rotates: the new CA signs from now on, the old one stays a client CA until it expires', () => {
    const time = clock();
    const pki = withCa({ now: time.now });
    const oldServer = pki.certs.issueServer(OPERATOR, { ...FAST, days: 30 });
    const { current, previous } = pki.certs.rotateCa(OPERATOR, { ...FAST, commonName: 'Second CA', days: 60 });
    expect(previous).toMatchObject({ serial: pki.ca.serial, is_current_ca: false, status: 'valid' });
    expect(current).toMatchObject({ subject_cn: 'Second CA', is_current_ca: true });
    expect(pki.certs.currentCaPem().serial).toBe(current.serial);
    expect(pki.certs.issueServer(OPERATOR, { ...FAST, days: 30 }).issuer_serial).toBe(current.serial);

    const fingerprints = () => pki.certs.clientCaPems().map((pem) => new X509Certificate(pem).fingerprint256);
    expect(fingerprints().sort()).toEqual([pki.ca.sha256, current.sha256].sort());
    // A certificate the old CA issued still verifies against it.
    const dir = tempDir();
    pki.certs.exportPem(OPERATOR, oldServer.serial, { dir });
    expect(openssl(['verify', '-CAfile', `${oldServer.serial}-chain.crt`, `${oldServer.serial}.crt`], { cwd: dir }).status).toBe(0);

    // A CA reaching its end changes the client CAs without a write: the version moves so servers reload.
    const before = pki.certs.version();
    time.advance(61 * DAY);
    expect(fingerprints()).toEqual([pki.ca.sha256]);
    expect(pki.certs.version()).toBe(before + 1);
    time.advance(3651 * DAY);
    expect(fingerprints()).toEqual([]);
    expect(pki.certs.version()).toBe(before + 2);
    const afterEnd = errorOf(() => pki.certs.issueServer(OPERATOR, FAST));
    expect(afterEnd.message).toMatch(/the CA [0-9a-f]+ expired on .*devmesh certs ca rotate/);
  });

  it('refuses a leaf that would outlive its CA, and rotation without a CA', () => {
    const pki = openPki();
    expect(errorOf(() => pki.certs.rotateCa(OPERATOR)).message).toMatch(/no certificate authority yet/);
    pki.certs.createCa(OPERATOR, { ...FAST, days: 100 });
    const error = errorOf(() => pki.certs.issueServer(OPERATOR, { days: 200 }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/ends on .*before the 200 days asked for; choose fewer --days or rotate the CA/);
    expect(pki.certs.list().map((c) => c.kind)).toEqual(['ca']);
  });

  it('keeps a non-ASCII CA name byte-exact in what it issues, so chains still build', () => {
    const pki = openPki();
    pki.certs.createCa(OPERATOR, { ...FAST, commonName: 'Équipe Müller — CA' });
    const leaf = pki.certs.issueServer(OPERATOR, FAST);
    expect(leaf.issuer).toBe('CN=Équipe Müller — CA, O=Developer Mesh Console');
    const dir = tempDir();
    pki.certs.exportPem(OPERATOR, leaf.serial, { dir });
    expect(openssl(['verify', '-CAfile', `${leaf.serial}-chain.crt`, `${leaf.serial}.crt`], { cwd: dir }).stdout).toBe(`${leaf.serial}.crt: OK\n`);
  });
});

describe('issuing', () => {
  it('issues a server certificate for localhost, 127.0.0.1 and ::1 by default, valid 397 days, with serverAuth', () => {
    const { certs, ca } = withCa();
    const server = certs.issueServer(OPERATOR, FAST);
    expect(server).toMatchObject({ kind: 'server', subject_cn: 'localhost', sans: ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'], issuer_serial: ca.serial, ext_key_usage: ['serverAuth'], is_ca: false, key_algorithm: 'RSA 2048', status: 'valid' });
    expect(Math.round((Date.parse(server.not_after) - Date.now()) / DAY)).toBe(397);
    const dir = tempDir();
    certs.exportPem(OPERATOR, server.serial, { dir });
    const file = `${server.serial}.crt`;
    expect(openssl(['verify', '-CAfile', `${server.serial}-chain.crt`, '-purpose', 'sslserver', file], { cwd: dir }).stdout).toBe(`${file}: OK\n`);
    const text = ext(dir, file, 'basicConstraints,keyUsage,extendedKeyUsage,subjectAltName,authorityKeyIdentifier');
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Server Authentication\n/);
    expect(text).toMatch(/X509v3 Subject Alternative Name: \n\s+DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1\n/);
    // The AKI is the CA's SKI.
    pemFile(dir, 'ca.pem', certs.currentCaPem().pem);
    const caSki = /Subject Key Identifier: \n\s+([0-9A-F:]+)/.exec(ext(dir, 'ca.pem', 'subjectKeyIdentifier'))?.[1] as string;
    expect(text).toContain(caSki);
    // openssl checks the name against the SANs.
    expect(openssl(['verify', '-CAfile', 'ca.pem', '-verify_ip', '::1', file], { cwd: dir }).status).toBe(0);
    expect(openssl(['verify', '-CAfile', 'ca.pem', '-verify_hostname', 'evil.test', file], { cwd: dir }).status).not.toBe(0);
  });

  it('issues a client certificate with clientAuth only, the identity as CN, bound to a role or a user', () => {
    const pki = withCa({ roleExists: (role) => ['admin', 'user', 'viewer'].includes(role) });
    addUser(pki, 'u-1', 'wes');
    const byRole = pki.certs.issueClient(OPERATOR, { ...FAST, commonName: 'ci-agent', role: 'viewer' });
    const byUser = pki.certs.issueClient(OPERATOR, { ...FAST, commonName: 'wes laptop', username: 'wes' });
    const unbound = pki.certs.issueClient(OPERATOR, { ...FAST, commonName: 'nobody' });
    expect(byRole).toMatchObject({ kind: 'client', subject_cn: 'ci-agent', bound_role: 'viewer', bound_user_id: null, ext_key_usage: ['clientAuth'], sans: [] });
    expect(byUser).toMatchObject({ bound_role: null, bound_user_id: 'u-1', bound_user: 'wes' });
    expect(pki.certs.identityFor(byRole.serial)).toEqual({ kind: 'role', serial: byRole.serial, tenantId: 'default', role: 'viewer', commonName: 'ci-agent' });
    expect(pki.certs.identityFor(byUser.serial.toUpperCase())).toEqual({ kind: 'user', serial: byUser.serial, tenantId: 'default', userId: 'u-1', commonName: 'wes laptop' });
    expect(pki.certs.identityFor(unbound.serial)).toBeUndefined();
    expect(pki.certs.identityFor('1234')).toBeUndefined();
    const dir = tempDir();
    pki.certs.exportPem(OPERATOR, byRole.serial, { dir });
    expect(openssl(['verify', '-CAfile', `${byRole.serial}-chain.crt`, '-purpose', 'sslclient', `${byRole.serial}.crt`], { cwd: dir }).status).toBe(0);
    expect(openssl(['verify', '-CAfile', `${byRole.serial}-chain.crt`, '-purpose', 'sslserver', `${byRole.serial}.crt`], { cwd: dir }).status).not.toBe(0);
    expect(ext(dir, `${byRole.serial}.crt`, 'extendedKeyUsage')).toMatch(/TLS Web Client Authentication\n/);
  });

  it('refuses bad client input: both bindings, an unknown role or user, a bad CN', () => {
    const pki = withCa({ roleExists: (role) => role === 'viewer' });
    addUser(pki, 'u-1', 'wes');
    const cases: [() => unknown, string, RegExp][] = [
      [() => pki.certs.issueClient(OPERATOR, { commonName: 'x', role: 'viewer', username: 'wes' }), 'VALIDATION_FAILED', /--role and --user are exclusive/],
      [() => pki.certs.issueClient(OPERATOR, { commonName: 'x', role: 'wizard' }), 'VALIDATION_FAILED', /role "wizard" does not exist/],
      [() => pki.certs.issueClient(OPERATOR, { commonName: 'x', username: 'ghost' }), 'NOT_FOUND', /no user "ghost" in tenant default/],
      [() => pki.certs.issueClient(OPERATOR, { commonName: '' }), 'VALIDATION_FAILED', /--cn must be 1 to 64 characters/],
      [() => pki.certs.issueClient(OPERATOR, { commonName: 'x'.repeat(65) }), 'VALIDATION_FAILED', /--cn must be 1 to 64 characters/],
      [() => pki.certs.issueClient(OPERATOR, { commonName: 'a\nb' }), 'VALIDATION_FAILED', /control characters/],
      [() => pki.certs.issueClient(OPERATOR, { commonName: 'x', days: 826 }), 'VALIDATION_FAILED', /1 to 825 days/],
      [() => pki.certs.issueServer(OPERATOR, { sans: ['ok.test', 'not ok'] }), 'VALIDATION_FAILED', /SAN "not ok"/],
      [() => pki.certs.issueServer(OPERATOR, { days: 398 }), 'VALIDATION_FAILED', /1 to 397 days/],
    ];
    for (const [call, code, message] of cases) {
      const error = errorOf(call);
      expect([error.code, error.message]).toEqual([code, expect.stringMatching(message)]);
    }
    expect(pki.certs.list()).toHaveLength(1);
  });
});

describe('revocation', () => {
  it('is seen at once here and by another connection on its next check, and the CRL lists it', async () => {
    const first = withCa();
    const client = first.certs.issueClient(OPERATOR, { ...FAST, commonName: 'agent', role: 'user' });
    const second = openPki({ file: first.file, masterKey: first.masterKey });
    expect(second.certs.isRevoked(client.serial)).toBe(false);
    expect(second.certs.identityFor(client.serial)?.kind).toBe('role');
    const before = second.certs.version();

    const revoked = first.certs.revoke(OPERATOR, client.serial.slice(0, 10), 'keyCompromise');
    expect(revoked).toMatchObject({ status: 'revoked', revocation_reason: 'keyCompromise' });
    expect(first.certs.isRevoked(client.serial)).toBe(true);
    expect(first.certs.identityFor(client.serial)).toBeUndefined();

    await nextTurn();
    expect(second.certs.version()).toBeGreaterThan(before);
    expect(second.certs.isRevoked(client.serial)).toBe(true);
    expect(second.certs.identityFor(client.serial)).toBeUndefined();

    const crl = first.certs.crlPem();
    expect(crl.revoked).toEqual([client.serial]);
    const dir = tempDir();
    pemFile(dir, 'crl.pem', crl.pem);
    pemFile(dir, 'ca.pem', first.certs.currentCaPem().pem);
    const text = openssl(['crl', '-in', 'crl.pem', '-CAfile', 'ca.pem', '-verify', '-noout', '-text'], { cwd: dir });
    expect(text.stderr).toContain('verify OK');
    expect(text.stdout).toContain(`Serial Number: ${client.serial.toUpperCase()}`);
    expect(text.stdout).toContain('Key Compromise');
  });

  it('refuses CAs, repeats, unknown reasons, and what a server presents', () => {
    const { certs, ca } = withCa();
    const server = certs.issueServer(OPERATOR, FAST);
    expect(errorOf(() => certs.revoke(OPERATOR, ca.serial)).message).toMatch(/is a CA certificate; CAs are not revoked but replaced/);
    expect(errorOf(() => certs.revoke(OPERATOR, server.serial, 'bored')).message).toMatch(/--reason "bored": use one of unspecified, keyCompromise/);
    certs.use(OPERATOR, server.serial, ['api']);
    const serving = errorOf(() => certs.revoke(OPERATOR, server.serial));
    expect(serving.code).toBe('CONFLICT');
    expect(serving.message).toMatch(/is what the api server presents; choose another first/);
    const other = certs.issueServer(OPERATOR, FAST);
    certs.revoke(OPERATOR, other.serial);
    expect(errorOf(() => certs.revoke(OPERATOR, other.serial)).message).toMatch(/was already revoked on/);
  });
});

describe('serving certificates', () => {
  it('serves a chosen server certificate with its key, and bumps the version', () => {
    const { certs } = withCa();
    expect(certs.servingMaterial('api')).toBeUndefined();
    const server = certs.issueServer(OPERATOR, { ...FAST, sans: ['Mesh.Local', '10.0.0.2'] });
    const before = certs.version();
    const { previous } = certs.use(OPERATOR, server.serial, ['api', 'mcp']);
    expect(previous).toEqual({ api: null, mcp: null });
    expect(certs.version()).toBeGreaterThan(before);
    expect(certs.serving()).toEqual({ api: server.serial, mcp: server.serial });
    const material = certs.servingMaterial('mcp');
    expect(material).toMatchObject({ serial: server.serial, chainPem: [], dnsNames: ['mesh.local'] });
    expect(new X509Certificate(material?.certPem ?? '').checkPrivateKey(createPrivateKey(material?.keyPem ?? ''))).toBe(true);
    expect(certs.get('default', server.serial).serving).toEqual(['api', 'mcp']);
  });

  it('refuses client, CA, revoked, expired and imported client-only certificates, keeping what was served', () => {
    const time = clock();
    const pki = withCa({ now: time.now });
    const { certs, ca } = pki;
    const good = certs.issueServer(OPERATOR, FAST);
    certs.use(OPERATOR, good.serial, ['api']);
    const client = certs.issueClient(OPERATOR, { ...FAST, commonName: 'agent' });
    const revoked = certs.issueServer(OPERATOR, FAST);
    certs.revoke(OPERATOR, revoked.serial);
    const shortLived = certs.issueServer(OPERATOR, { ...FAST, days: 1 });
    const dir = tempDir();
    const clientOnly = opensslSelfSigned(dir, 'client-only', ['-addext', 'extendedKeyUsage=clientAuth']);
    const imported = certs.importCertificate(OPERATOR, { certPem: readFileSync(clientOnly.cert, 'utf8'), keyPem: readFileSync(clientOnly.key, 'utf8') });
    time.advance(2 * DAY);
    const cases: [string, RegExp][] = [
      [client.serial, /is not a server certificate \(its extended key usage is clientAuth\)/],
      [ca.serial, /is a CA certificate/],
      [revoked.serial, /was revoked on .*; it cannot serve/],
      [shortLived.serial, /expired on .*; it cannot serve/],
      [imported.serial, /is not a server certificate/],
    ];
    for (const [serial, message] of cases) {
      for (const server of [['mcp'], ['api', 'mcp']] as const) {
        const error = errorOf(() => certs.use(OPERATOR, serial, server));
        expect(error.code).toBe('VALIDATION_FAILED');
        expect(error.message).toMatch(message);
      }
    }
    expect(certs.serving()).toEqual({ api: good.serial, mcp: null });
    expect(certs.servingMaterial('api')?.serial).toBe(good.serial);
  });

  it('refuses a certificate whose stored key is gone', () => {
    const pki = withCa();
    const server = pki.certs.issueServer(OPERATOR, FAST);
    pki.secrets.delete('default', `cert_key:${server.serial}`);
    expect(errorOf(() => pki.certs.use(OPERATOR, server.serial, ['api'])).message).toMatch(/has no private key in the mesh/);
    expect(pki.certs.serving()).toEqual({ api: null, mcp: null });
  });
});

describe('import', () => {
  it('imports a certificate and its key as kind imported, serves it, and refuses it twice', () => {
    const { certs } = withCa();
    const dir = tempDir();
    const own = opensslSelfSigned(dir, 'own.example.test', ['-addext', 'subjectAltName=DNS:own.example.test,IP:192.0.2.7']);
    const view = certs.importCertificate(OPERATOR, { certPem: readFileSync(own.cert, 'utf8'), keyPem: readFileSync(own.key, 'utf8') });
    expect(view).toMatchObject({ kind: 'imported', subject_cn: 'own.example.test', sans: ['DNS:own.example.test', 'IP:192.0.2.7'], issuer_serial: null, has_key: true });
    const openSslSerial = openssl(['x509', '-in', own.cert, '-noout', '-serial']).stdout.trim().replace('serial=', '').toLowerCase().replace(/^0+/, '');
    expect(view.serial).toBe(openSslSerial);
    const fingerprint = openssl(['x509', '-in', own.cert, '-noout', '-fingerprint', '-sha256']).stdout.trim().split('=')[1];
    expect(view.sha256).toBe(fingerprint);
    certs.use(OPERATOR, view.serial, ['api']);
    // A self-signed certificate is its own root: nothing to send as chain.
    expect(certs.servingMaterial('api')?.chainPem).toEqual([]);
    expect(errorOf(() => certs.importCertificate(OPERATOR, { certPem: readFileSync(own.cert, 'utf8'), keyPem: readFileSync(own.key, 'utf8') })).code).toBe('CONFLICT');
  });

  it('refuses a mismatched pair, non-PEM files, an encrypted key, and an expired certificate, importing nothing', () => {
    const { certs } = withCa();
    const dir = tempDir();
    const a = opensslSelfSigned(dir, 'a');
    const b = opensslSelfSigned(dir, 'b');
    const encrypted = join(dir, 'enc.key');
    openssl(['pkey', '-in', b.key, '-aes256', '-passout', 'pass:x', '-out', encrypted]);
    openssl(['x509', '-in', a.cert, '-outform', 'der', '-out', join(dir, 'a.der')]);
    const names = { cert: '--cert a.crt', key: '--key b.key', chain: '--chain c.crt' };
    const text = (path: string) => readFileSync(path, 'utf8');
    const cases: [() => unknown, RegExp][] = [
      [() => certs.importCertificate(OPERATOR, { certPem: text(a.cert), keyPem: text(b.key), names }), /^--key b.key does not belong to --cert a.crt \(key\/cert mismatch\); nothing was imported$/],
      [() => certs.importCertificate(OPERATOR, { certPem: readFileSync(join(dir, 'a.der')).toString('latin1'), keyPem: text(a.key), names }), /^--cert a.crt is not PEM \(expected -----BEGIN CERTIFICATE-----\)/],
      [() => certs.importCertificate(OPERATOR, { certPem: text(a.key), keyPem: text(a.key), names }), /^--cert a.crt holds a PRIVATE KEY, not a certificate$/],
      [() => certs.importCertificate(OPERATOR, { certPem: text(a.cert), keyPem: text(a.cert), names }), /^--key b.key holds a CERTIFICATE, not a private key$/],
      [() => certs.importCertificate(OPERATOR, { certPem: text(a.cert), keyPem: text(encrypted), names }), /^--key b.key is encrypted; decrypt it first/],
      [() => certs.importCertificate(OPERATOR, { certPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', keyPem: text(a.key), names }), /^--cert a.crt: certificate 1 is damaged/],
      [() => certs.importCertificate(OPERATOR, { certPem: text(a.cert), keyPem: text(a.key), chainPem: text(b.cert), names }), /does not contain the issuer of --cert a.crt/],
    ];
    for (const [call, message] of cases) {
      const error = errorOf(call);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toMatch(message);
    }
    const later = openPki({ now: () => new Date(Date.now() + 31 * DAY) });
    later.certs.createCa(OPERATOR, FAST);
    expect(errorOf(() => later.certs.importCertificate(OPERATOR, { certPem: text(a.cert), keyPem: text(a.key), names })).message).toMatch(/^--cert a.crt expired on .*; nothing was imported$/);
    expect(certs.list().map((c) => c.kind)).toEqual(['ca']);
  });

  it('keeps the chain of a certificate issued by an intermediate, serving the intermediate but not the root', () => {
    const { certs } = withCa();
    const dir = tempDir();
    const conf = join(dir, 'ext.cnf');
    writeFileSync(conf, '[v3_ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n[leaf]\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:app.test\n');
    const root = opensslSelfSigned(dir, 'root', [], { ca: true });
    const run = (args: string[]) => expect(openssl(args, { cwd: dir }).status).toBe(0);
    run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/CN=intermediate']);
    run(['x509', '-req', '-in', 'int.csr', '-CA', root.cert, '-CAkey', root.key, '-out', 'int.crt', '-days', '20', '-extfile', conf, '-extensions', 'v3_ca']);
    run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=app.test']);
    run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'int.crt', '-CAkey', 'int.key', '-out', 'leaf.crt', '-days', '10', '-extfile', conf, '-extensions', 'leaf']);
    const fullchain = readFileSync(join(dir, 'leaf.crt'), 'utf8') + readFileSync(join(dir, 'int.crt'), 'utf8');
    const view = certs.importCertificate(OPERATOR, { certPem: fullchain, keyPem: readFileSync(join(dir, 'leaf.key'), 'utf8'), chainPem: readFileSync(root.cert, 'utf8') });
    certs.use(OPERATOR, view.serial, ['api']);
    const chain = certs.servingMaterial('api')?.chainPem ?? [];
    expect(chain.map((pem) => new X509Certificate(pem).subject)).toEqual(['CN=intermediate']);
    const out = tempDir();
    certs.exportPem(OPERATOR, view.serial, { dir: out });
    expect(openssl(['verify', '-CAfile', root.cert, '-untrusted', `${view.serial}-chain.crt`, `${view.serial}.crt`], { cwd: out }).status).toBe(0);
  });

  it('records the mesh CA as issuer of a re-imported mesh certificate, and imports PKCS#12', () => {
    const first = withCa();
    const server = first.certs.issueServer(OPERATOR, FAST);
    const dir = tempDir();
    first.certs.exportP12(OPERATOR, server.serial, { dir, password: 'pw' });
    const second = openPki();
    second.certs.createCa(OPERATOR, FAST);
    const p12 = readFileSync(join(dir, `${server.serial}.p12`));
    expect(errorOf(() => second.certs.importPkcs12(OPERATOR, { der: p12, password: 'nope', name: '--p12 x.p12' })).message).toBe('--p12 x.p12: wrong PKCS#12 password');
    const imported = second.certs.importPkcs12(OPERATOR, { der: p12, password: 'pw' });
    expect(imported).toMatchObject({ serial: server.serial, kind: 'imported', issuer_serial: null, sans: server.sans });
    // In the first mesh, the same certificate is recognised as its CA's.
    const other = withCa();
    const leaf = other.certs.issueServer(OPERATOR, FAST);
    const out = tempDir();
    other.certs.exportPem(OPERATOR, leaf.serial, { dir: out });
    other.storage.db.prepare('DELETE FROM certificates WHERE serial = ?').run(leaf.serial);
    const again = other.certs.importCertificate(OPERATOR, { certPem: readFileSync(join(out, `${leaf.serial}.crt`), 'utf8'), keyPem: readFileSync(join(out, `${leaf.serial}.key`), 'utf8') });
    expect(again.issuer_serial).toBe(other.ca.serial);
  });
});

describe('listing, lookup and tenants', () => {
  it('finds by serial, colon form, upper case or unique prefix, and refuses what is not a serial', () => {
    const { certs, ca } = withCa();
    const colons = ca.serial.toUpperCase().match(/../g)?.join(':') as string;
    expect(certs.get('default', colons).serial).toBe(ca.serial);
    expect(certs.get('default', ca.serial.slice(0, 6)).serial).toBe(ca.serial);
    expect(errorOf(() => certs.get('default', 'ffff0000')).message).toBe('no certificate ffff0000; see `devmesh certs list`');
    for (const bad of ['../../etc/passwd', 'xyz', '', '12 34']) {
      expect(errorOf(() => certs.get('default', bad)).message).toMatch(/is not a certificate serial/);
    }
  });

  it('keeps each tenant to its own certificates; the TLS side reads the default tenant only', () => {
    const pki = openPki();
    pki.storage.db.prepare("INSERT INTO tenants VALUES ('acme', 'acme', 'now')").run();
    const acme = { subject: 'cli:test', tenantId: 'acme' };
    const acmeCa = pki.certs.createCa(acme, FAST);
    const acmeClient = pki.certs.issueClient(acme, { ...FAST, commonName: 'acme-agent', role: 'user' });
    expect(pki.certs.list()).toEqual([]);
    expect(pki.certs.list('acme').map((c) => c.serial)).toEqual([acmeCa.serial, acmeClient.serial]);
    expect(errorOf(() => pki.certs.get('default', acmeCa.serial)).code).toBe('NOT_FOUND');
    expect(pki.certs.clientCaPems()).toEqual([]);
    expect(pki.certs.identityFor(acmeClient.serial)).toBeUndefined();
    expect(pki.secrets.names('default')).toEqual([]);
    expect(pki.secrets.names('acme')).toHaveLength(2);
  });
});

describe('expiry', () => {
  it('reports what expires within 30 days and what expired that still matters, and writes certificate_expiring events', () => {
    const time = clock(Date.parse('2030-01-01T00:00:00.000Z'));
    const pki = withCa({ now: time.now });
    const { certs } = pki;
    const soon = certs.issueServer(OPERATOR, { ...FAST, days: 20 });
    const later = certs.issueServer(OPERATOR, { ...FAST, days: 100 });
    const gone = certs.issueClient(OPERATOR, { ...FAST, commonName: 'short', days: 2 });
    const revoked = certs.issueServer(OPERATOR, { ...FAST, days: 5 });
    certs.revoke(OPERATOR, revoked.serial);
    certs.use(OPERATOR, soon.serial, ['mcp']);
    time.advance(10 * DAY);

    const report = certs.certificateExpiryReport();
    expect(report.expiring.map((e) => e.serial)).toEqual([soon.serial]);
    expect(report.expiring[0]).toMatchObject({ kind: 'server', serving: ['mcp'], is_current_ca: false, seconds_left: 10 * 86_400 });
    expect(report.expired.map((e) => e.serial)).toEqual([gone.serial]);
    expect(certs.expiringSoon(95).map((c) => c.serial)).toEqual([gone.serial, soon.serial, later.serial]);
    expect(certs.list().find((c) => c.serial === soon.serial)?.status).toBe('expiring');

    // An expired certificate that nobody uses drops out after 30 days; one being served stays.
    time.advance(60 * DAY);
    const afterwards = certs.certificateExpiryReport();
    expect(afterwards.expired.map((e) => e.serial)).toEqual([soon.serial]);
    expect(afterwards.expiring.map((e) => e.serial)).toEqual([later.serial]);

    certs.warnExpiring();
    const events = pki.audit.query({ event_type: 'certificate_expiring' }).events;
    expect(events.map((e) => [e.resource, e.metadata?.expired])).toEqual([
      [`certificate:${later.serial}`, false],
      [`certificate:${soon.serial}`, true],
    ]);
  });
});

describe('audit', () => {
  it('records every change with serial, kind, subject and not_after, and never key material', () => {
    const pki = withCa();
    const { certs } = pki;
    const server = certs.issueServer(OPERATOR, FAST);
    const client = certs.issueClient(OPERATOR, { ...FAST, commonName: 'agent' });
    certs.use(OPERATOR, server.serial, ['api']);
    certs.revoke(OPERATOR, client.serial);
    certs.exportPem(OPERATOR, server.serial, { dir: tempDir() });
    certs.rotateCa(OPERATOR, FAST);
    const types = ['ca_created', 'certificate_issued', 'tls_certificate_selected', 'certificate_revoked', 'certificate_exported', 'ca_rotated'];
    const events = types.flatMap((event_type) => pki.audit.query({ event_type }).events).sort((a, b) => a.seq - b.seq);
    expect(events.map((e) => e.event_type)).toEqual(['ca_created', 'certificate_issued', 'certificate_issued', 'tls_certificate_selected', 'certificate_revoked', 'certificate_exported', 'ca_rotated']);
    for (const event of events) {
      expect(event.subject).toBe('cli:test');
      expect(event.metadata).toMatchObject({ serial: expect.stringMatching(/^[0-9a-f]+$/), kind: expect.any(String), subject: expect.stringMatching(/^CN=/), not_after: expect.any(String) });
    }
    expect(events[3]?.metadata).toMatchObject({ servers: ['api'], previous: { api: null } });
    expect(events[5]?.metadata).toMatchObject({ format: 'pem', key_included: true, files: [`${server.serial}.crt`, `${server.serial}.key`, `${server.serial}-chain.crt`] });
    expect(JSON.stringify(events)).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
  });
});
