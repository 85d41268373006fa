// `devmesh certs ...` as an operator runs them: real child processes over one data dir, with openssl checking every certificate, key, PKCS#12 file and CRL they write.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCertificateService } from '../../src/main/core/certs/certificate-service';
import type { CertificateView } from '../../src/main/core/certs/certificate-rows';
import { openCore } from '../../src/main/core/open-core';
import { openssl, opensslSelfSigned } from '../helpers/certs';
import { auditEvents, CLI_SUBJECT, meshEnv, ok, refused, SLOW, type MeshEnv } from '../helpers/cli-mesh';
import { testConfig } from '../helpers/config';
import { createMemoryKeychain } from '../helpers/memory-keychain';
import { tempDir } from '../helpers/temp-dir';

const SERIAL = /[0-9a-f]{32}/;
const FINGERPRINT_256 = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

async function list(env: MeshEnv): Promise<CertificateView[]> {
  return JSON.parse((await ok(env, ['certs', 'list', '--json'])).stdout) as CertificateView[];
}

/** The serial a create/issue/import line names. */
function serialOf(stdout: string): string {
  const serial = SERIAL.exec(stdout)?.[0];
  expect(serial, stdout).toBeDefined();
  return serial as string;
}

/** Reads the data dir in-process, as the TLS side of `devmesh serve` would. */
async function trustView<T>(env: MeshEnv, read: (certs: ReturnType<typeof createCertificateService>) => T): Promise<T> {
  const core = openCore(testConfig(env.DEVMESH_DATA_DIR, { masterKeyEnv: env.ENCRYPTION_MASTER_KEY }), { keychain: createMemoryKeychain(), readOnly: true });
  try {
    return read(createCertificateService({ db: core.db, secrets: core.secrets, meta: core.meta, audit: core.audit }));
  } finally {
    await core.close();
  }
}

/** Runs refused commands a few at a time: each is a Node process, and too many at once outrun the CLI helper's timeout. */
async function allRefused(env: MeshEnv, calls: (string[] | [string[], string])[]): Promise<string[]> {
  const lines: string[] = [];
  for (let i = 0; i < calls.length; i += 4) {
    lines.push(...(await Promise.all(calls.slice(i, i + 4).map((call) => (typeof call[0] === 'string' ? refused(env, call as string[]) : refused(env, call[0], call[1] as string))))));
  }
  return lines;
}

function ext(dir: string, file: string, names: string): string {
  const result = openssl(['x509', '-in', file, '-noout', '-ext', names], { cwd: dir });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

describe('devmesh certs', () => {
  it('creates a CA, issues server and client certificates, lists them and exports PEM that openssl verifies', async () => {
    const env = meshEnv();
    expect(await refused(env, ['certs', 'issue', 'server'])).toBe('devmesh: there is no certificate authority yet: run `devmesh certs ca create` first');

    const created = await ok(env, ['certs', 'ca', 'create', '--cn', 'Test Mesh CA', '--days', '400', '--key-size', '2048']);
    expect(created.stdout).toMatch(/^created CA [0-9a-f]{32} \(Test Mesh CA, RSA 2048, valid until \d{4}-\d\d-\d\d\)\n$/);
    const caSerial = serialOf(created.stdout);
    expect(await refused(env, ['certs', 'ca', 'create'])).toMatch(/^devmesh: a CA already exists \(.*\); replace it with `devmesh certs ca rotate`$/);

    const server = serialOf((await ok(env, ['certs', 'issue', 'server', '--san', 'localhost', '--san', '127.0.0.1', '--san', '::1', '--san', 'mesh.test'])).stdout);
    const agent = serialOf((await ok(env, ['certs', 'issue', 'client', '--cn', 'agent-1', '--role', 'viewer'])).stdout);
    await ok(env, ['users', 'create', 'wes', '--role', 'user', '--password-stdin'], 'a long enough passphrase\n');
    const wes = await ok(env, ['certs', 'issue', 'client', '--cn', 'wes laptop', '--user', 'wes']);
    expect(wes.stdout).toMatch(/^issued client certificate [0-9a-f]{32}: CN=wes laptop; bound to user:wes; valid until /);

    const listed = await list(env);
    expect(listed.map((c) => [c.kind, c.subject_cn, c.status, c.bound_role, c.bound_user])).toEqual([
      ['ca', 'Test Mesh CA', 'valid', null, null],
      ['server', 'localhost', 'valid', null, null],
      ['client', 'agent-1', 'valid', 'viewer', null],
      ['client', 'wes laptop', 'valid', null, 'wes'],
    ]);
    const serverView = listed[1] as CertificateView;
    expect(serverView).toMatchObject({ serial: server, issuer_serial: caSerial, sans: ['DNS:localhost', 'DNS:mesh.test', 'IP:127.0.0.1', 'IP:::1'], ext_key_usage: ['serverAuth'], has_key: true });
    expect(serverView.sha256).toMatch(FINGERPRINT_256);
    const table = (await ok(env, ['certs', 'list'])).stdout.split('\n');
    expect(table[0]).toMatch(/^SERIAL\s+KIND\s+STATUS\s+SUBJECT\s+SANS\s+NOT_AFTER\s+SERVING\s+BOUND$/);
    expect(table.find((line) => line.startsWith(agent))).toMatch(/client\s+valid\s+agent-1\s+-\s+\d{4}-\d\d-\d\d\s+-\s+role:viewer$/);

    const dir = tempDir();
    const exported = await ok(env, ['certs', 'export', server, '--out', dir]);
    expect(exported.stdout.trim().split('\n')).toEqual([join(dir, `${server}.crt`), join(dir, `${server}.key`), join(dir, `${server}-chain.crt`)]);
    expect(statSync(join(dir, `${server}.key`)).mode & 0o777).toBe(0o600);
    const crt = `${server}.crt`;
    expect(openssl(['verify', '-CAfile', `${server}-chain.crt`, crt], { cwd: dir }).stdout).toBe(`${crt}: OK\n`);
    const extensions = ext(dir, crt, 'subjectAltName,extendedKeyUsage,keyUsage,basicConstraints');
    expect(extensions).toMatch(/X509v3 Subject Alternative Name: \n\s+DNS:localhost, DNS:mesh.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1\n/);
    expect(extensions).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Server Authentication\n/);
    expect(extensions).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
    expect(extensions).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
    expect(openssl(['pkey', '-in', `${server}.key`, '-pubout'], { cwd: dir }).stdout).toBe(openssl(['x509', '-in', crt, '-noout', '-pubkey'], { cwd: dir }).stdout);
    expect(openssl(['x509', '-in', crt, '-noout', '-fingerprint', '-sha256'], { cwd: dir }).stdout.trim()).toBe(`sha256 Fingerprint=${serverView.sha256}`);

    // The CA exports only its certificate unless asked for its key.
    const caDir = tempDir();
    expect((await ok(env, ['certs', 'export', caSerial, '--out', caDir])).stdout).toBe(`${join(caDir, `${caSerial}.crt`)}\n`);
    expect(ext(caDir, `${caSerial}.crt`, 'basicConstraints,keyUsage')).toMatch(/CA:TRUE, pathlen:0[\s\S]*Certificate Sign, CRL Sign/);
    await ok(env, ['certs', 'export', caSerial, '--out', caDir, '--include-key', '--force']);
    expect(readdirSync(caDir).sort()).toEqual([`${caSerial}.crt`, `${caSerial}.key`]);

    const events = auditEvents(env.DEVMESH_DATA_DIR, ['ca_created', 'certificate_issued', 'certificate_exported']);
    expect(events.map((e) => [e.event_type, e.subject, e.resource])).toEqual([
      ['ca_created', CLI_SUBJECT, `certificate:${caSerial}`],
      ['certificate_issued', CLI_SUBJECT, `certificate:${server}`],
      ['certificate_issued', CLI_SUBJECT, `certificate:${agent}`],
      ['certificate_issued', CLI_SUBJECT, `certificate:${serialOf(wes.stdout)}`],
      ['certificate_exported', CLI_SUBJECT, `certificate:${server}`],
      ['certificate_exported', CLI_SUBJECT, `certificate:${caSerial}`],
      ['certificate_exported', CLI_SUBJECT, `certificate:${caSerial}`],
    ]);
    expect(events.map((e) => e.metadata?.key_included)).toEqual([undefined, undefined, undefined, undefined, true, false, true]);
    expect(JSON.stringify(events)).not.toMatch(/PRIVATE KEY/);
  }, SLOW);

  it('exports PKCS#12 (right and wrong password), revokes into a CRL, and rotates the CA keeping the old one trusted', async () => {
    const env = meshEnv();
    const firstCa = serialOf((await ok(env, ['certs', 'ca', 'create', '--key-size', '2048'])).stdout);
    const agent = serialOf((await ok(env, ['certs', 'issue', 'client', '--cn', 'agent-1', '--role', 'user'])).stdout);
    const dir = tempDir();

    expect(await refused(env, ['certs', 'export', agent, '--out', dir, '--p12'])).toMatch(/--password-stdin/);
    expect(await refused(env, ['certs', 'export', agent, '--out', dir, '--p12', '--password-stdin'], '')).toMatch(/PKCS#12 password was expected on standard input, but it was empty/);
    expect((await ok(env, ['certs', 'export', agent, '--out', dir, '--p12', '--password-stdin'], 'p12 pass phrase\n')).stdout).toBe(`${join(dir, `${agent}.p12`)}\n`);
    const p12 = join(dir, `${agent}.p12`);
    expect(statSync(p12).mode & 0o777).toBe(0o600);
    const read = openssl(['pkcs12', '-in', p12, '-passin', 'pass:p12 pass phrase', '-nodes']);
    expect(read.status, read.stderr).toBe(0);
    expect(read.stdout).toContain('subject=CN = agent-1, O = Developer Mesh Console');
    expect(read.stdout).toContain('-----BEGIN PRIVATE KEY-----');
    const wrong = openssl(['pkcs12', '-in', p12, '-passin', 'pass:p12 pass phrase!', '-nodes']);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout).not.toContain('PRIVATE KEY');

    expect((await ok(env, ['certs', 'revoke', agent, '--reason', 'keyCompromise'])).stdout).toBe(`revoked ${agent} (agent-1); it is refused from its next TLS handshake\n`);
    expect(await refused(env, ['certs', 'revoke', agent])).toMatch(/^devmesh: certificate [0-9a-f]{32} was already revoked on /);
    expect((await list(env)).find((c) => c.serial === agent)?.status).toBe('revoked');
    const crlFile = join(dir, 'mesh.crl');
    expect((await ok(env, ['certs', 'crl', '--out', crlFile])).stdout).toBe(`${crlFile}\n`);
    expect(await refused(env, ['certs', 'crl', '--out', crlFile])).toMatch(/mesh\.crl exists; nothing was written \(add --force to overwrite\)$/);
    const caDir = tempDir();
    await ok(env, ['certs', 'export', firstCa, '--out', caDir]);
    const crlText = openssl(['crl', '-in', crlFile, '-CAfile', join(caDir, `${firstCa}.crt`), '-verify', '-noout', '-text']);
    expect(crlText.stderr).toContain('verify OK');
    expect(crlText.stdout).toContain(`Serial Number: ${agent.toUpperCase()}`);
    expect(crlText.stdout).toMatch(/CRL Reason Code: \n\s+Key Compromise/);
    // Without --out it goes to stdout, as PEM.
    expect((await ok(env, ['certs', 'crl'])).stdout).toMatch(/^-----BEGIN X509 CRL-----\r?\n[\s\S]+-----END X509 CRL-----\r?\n$/);

    const rotated = await ok(env, ['certs', 'ca', 'rotate', '--cn', 'Second CA', '--key-size', '2048']);
    expect(rotated.stdout).toMatch(new RegExp(`^rotated the CA: [0-9a-f]{32} \\(Second CA\\) is current; ${firstCa} stays trusted until \\d{4}-\\d\\d-\\d\\d\\n$`));
    const secondCa = serialOf(rotated.stdout);
    const cas = (await list(env)).filter((c) => c.kind === 'ca');
    expect(cas.map((c) => [c.serial, c.is_current_ca, c.status])).toEqual([
      [firstCa, false, 'valid'],
      [secondCa, true, 'valid'],
    ]);
    const trust = await trustView(env, (certs) => ({
      cas: certs.clientCaPems().map((pem) => new X509Certificate(pem).subject),
      revoked: certs.isRevoked(agent),
      identity: certs.identityFor(agent),
    }));
    expect(trust.cas.sort()).toEqual([`CN=Developer Mesh Console CA ${firstCa.slice(0, 8)}\nO=Developer Mesh Console`, 'CN=Second CA\nO=Developer Mesh Console'].sort());
    expect(trust).toMatchObject({ revoked: true, identity: undefined });
    // The new CA signs what is issued next; the CRL is the new CA's (empty).
    const next = serialOf((await ok(env, ['certs', 'issue', 'server', '--json'])).stdout);
    expect((await list(env)).find((c) => c.serial === next)?.issuer_serial).toBe(secondCa);

    const events = auditEvents(env.DEVMESH_DATA_DIR, ['certificate_revoked', 'ca_rotated']);
    expect(events.map((e) => [e.event_type, e.resource, e.metadata?.reason ?? e.metadata?.previous_serial])).toEqual([
      ['certificate_revoked', `certificate:${agent}`, 'keyCompromise'],
      ['ca_rotated', `certificate:${secondCa}`, firstCa],
    ]);
  }, SLOW);

  it('imports a certificate and key, refusing mismatched pairs, non-PEM files and wrong PKCS#12 passwords', async () => {
    const env = meshEnv();
    await ok(env, ['certs', 'ca', 'create', '--key-size', '2048']);
    const dir = tempDir();
    const own = opensslSelfSigned(dir, 'own.test', ['-addext', 'subjectAltName=DNS:own.test', '-addext', 'extendedKeyUsage=serverAuth']);
    const other = opensslSelfSigned(dir, 'other.test');
    openssl(['x509', '-in', own.cert, '-outform', 'der', '-out', join(dir, 'own.der')]);
    writeFileSync(join(dir, 'notes.txt'), 'just some text\n');
    openssl(['pkcs12', '-export', '-in', other.cert, '-inkey', other.key, '-out', join(dir, 'other.p12'), '-passout', 'pass:right']);

    const [mismatch, der, text, missing, noKey, wrongPassword, both] = await allRefused(env, [
      ['certs', 'import', '--cert', own.cert, '--key', other.key],
      ['certs', 'import', '--cert', join(dir, 'own.der'), '--key', own.key],
      ['certs', 'import', '--cert', own.cert, '--key', join(dir, 'notes.txt')],
      ['certs', 'import', '--cert', join(dir, 'nope.pem'), '--key', own.key],
      ['certs', 'import', '--cert', own.cert],
      [['certs', 'import', '--p12', join(dir, 'other.p12'), '--password-stdin'], 'wrong\n'],
      [['certs', 'import', '--p12', join(dir, 'other.p12'), '--cert', own.cert, '--password-stdin'], 'right\n'],
    ]);
    expect(mismatch).toBe(`devmesh: --key ${other.key} does not belong to --cert ${own.cert} (key/cert mismatch); nothing was imported`);
    expect(der).toMatch(new RegExp(`^devmesh: --cert ${join(dir, 'own.der')} is not PEM \\(expected -----BEGIN CERTIFICATE-----\\)`));
    expect(text).toMatch(/^devmesh: --key .*notes\.txt is not PEM \(expected -----BEGIN PRIVATE KEY-----\)/);
    expect(missing).toMatch(/^devmesh: --cert .*nope\.pem cannot be read \(ENOENT\)$/);
    expect(noKey).toBe('devmesh: give --cert FILE and --key FILE (or --p12 FILE --password-stdin)');
    expect(wrongPassword).toBe(`devmesh: --p12 ${join(dir, 'other.p12')}: wrong PKCS#12 password`);
    expect(both).toMatch(/--p12 replaces --cert, --key and --chain/);
    expect((await list(env)).map((c) => c.kind)).toEqual(['ca']);

    const imported = await ok(env, ['certs', 'import', '--cert', own.cert, '--key', own.key]);
    expect(imported.stdout).toMatch(/^imported [0-9a-f]+: CN=own\.test; DNS:own\.test; valid until /);
    const fromP12 = await ok(env, ['certs', 'import', '--p12', join(dir, 'other.p12'), '--password-stdin', '--json'], 'right\n');
    expect(JSON.parse(fromP12.stdout)).toMatchObject({ kind: 'imported', subject_cn: 'other.test', has_key: true });
    expect(await refused(env, ['certs', 'import', '--cert', own.cert, '--key', own.key])).toMatch(/is already in the mesh$/);
    const views = await list(env);
    expect(views.map((c) => [c.kind, c.subject_cn])).toEqual([['ca', expect.any(String)], ['imported', 'own.test'], ['imported', 'other.test']]);
    expect(auditEvents(env.DEVMESH_DATA_DIR, ['certificate_imported']).map((e) => e.metadata?.subject)).toEqual(['CN=own.test', 'CN=other.test']);
  }, SLOW);

  it('chooses the serving certificate and refuses client, revoked, expired or CA certificates, leaving the previous one in place', async () => {
    const env = meshEnv();
    const ca = serialOf((await ok(env, ['certs', 'ca', 'create', '--key-size', '2048'])).stdout);
    const [first, second, client, revoked, expired] = [
      serialOf((await ok(env, ['certs', 'issue', 'server'])).stdout),
      serialOf((await ok(env, ['certs', 'issue', 'server', '--san', 'mesh.test'])).stdout),
      serialOf((await ok(env, ['certs', 'issue', 'client', '--cn', 'agent'])).stdout),
      serialOf((await ok(env, ['certs', 'issue', 'server'])).stdout),
      serialOf((await ok(env, ['certs', 'issue', 'server', '--days', '1'])).stdout),
    ];
    await ok(env, ['certs', 'revoke', revoked]);
    // As time would: the one-day certificate's end moves into the past.
    const core = openCore(testConfig(env.DEVMESH_DATA_DIR, { masterKeyEnv: env.ENCRYPTION_MASTER_KEY }), { keychain: createMemoryKeychain() });
    core.db.prepare('UPDATE certificates SET not_after = ? WHERE serial = ?').run(new Date(Date.now() - 60_000).toISOString(), expired);
    await core.close();

    const firstEnd = (await list(env)).find((c) => c.serial === first)?.not_after.slice(0, 10);
    expect((await ok(env, ['certs', 'use', first, '--server', 'both'])).stdout).toBe(`api and mcp now present ${first} (localhost, valid until ${firstEnd})\n`);
    expect((await ok(env, ['certs', 'use', second.slice(0, 12), '--server', 'mcp'])).stdout).toMatch(new RegExp(`^mcp now presents ${second} \\(mesh.test,`));

    const refusals = await allRefused(env, [
      ['certs', 'use', client, '--server', 'api'],
      ['certs', 'use', revoked, '--server', 'both'],
      ['certs', 'use', expired, '--server', 'api'],
      ['certs', 'use', ca, '--server', 'mcp'],
      ['certs', 'use', first, '--server', 'web'],
      ['certs', 'use', 'ffffffff', '--server', 'api'],
      ['certs', 'revoke', first],
    ]);
    expect(refusals).toEqual([
      `devmesh: ${client} is not a server certificate (its extended key usage is clientAuth); issue one with \`devmesh certs issue server\``,
      expect.stringMatching(new RegExp(`^devmesh: ${revoked} was revoked on .*; it cannot serve$`)),
      expect.stringMatching(new RegExp(`^devmesh: ${expired} expired on .*; it cannot serve`)),
      `devmesh: ${ca} is a CA certificate; a server presents a server certificate (\`devmesh certs issue server\`)`,
      'devmesh: --server "web": use api, mcp or both',
      'devmesh: no certificate ffffffff; see `devmesh certs list`',
      `devmesh: certificate ${first} is what the api server presents; choose another first (\`devmesh certs use <serial> --server api\`)`,
    ]);
    const serving = await trustView(env, (certs) => ({ api: certs.servingMaterial('api'), mcp: certs.servingMaterial('mcp'), serving: certs.serving() }));
    expect(serving.serving).toEqual({ api: first, mcp: second });
    expect(serving.api).toMatchObject({ serial: first, dnsNames: ['localhost'], chainPem: [] });
    expect(new X509Certificate(serving.mcp?.certPem ?? '').subject).toBe('CN=mesh.test\nO=Developer Mesh Console');
    expect(serving.mcp?.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect((await list(env)).filter((c) => c.serving.length > 0).map((c) => [c.serial, c.serving])).toEqual([[first, ['api']], [second, ['mcp']]]);
    expect(auditEvents(env.DEVMESH_DATA_DIR, ['tls_certificate_selected']).map((e) => e.metadata?.servers)).toEqual([['api', 'mcp'], ['mcp']]);
  }, SLOW);

  it('never writes outside --out, never through a link, never over a file without --force', async () => {
    const env = meshEnv();
    await ok(env, ['certs', 'ca', 'create', '--key-size', '2048']);
    const server = serialOf((await ok(env, ['certs', 'issue', 'server'])).stdout);
    const out = tempDir();
    const victim = join(tempDir(), 'victim.key');
    writeFileSync(victim, 'do not touch\n');
    symlinkSync(victim, join(out, `${server}.key`));
    writeFileSync(join(out, 'existing.txt'), 'mine\n');

    expect(await allRefused(env, [
      ['certs', 'export', server, '--out', out],
      ['certs', 'export', server, '--out', out, '--force'],
      ['certs', 'export', '../../etc/passwd', '--out', out],
      ['certs', 'export', server, '--out', join(out, 'existing.txt')],
    ])).toEqual([
      expect.stringMatching(/\.key is a symbolic link; refusing to write through it \(it could point outside .*\); remove it first$/),
      expect.stringMatching(/\.key is a symbolic link; refusing to write through it/),
      'devmesh: "../../etc/passwd" is not a certificate serial (hex, as `devmesh certs list` shows it)',
      expect.stringMatching(/existing\.txt is not a folder$/),
    ]);
    expect(readFileSync(victim, 'utf8')).toBe('do not touch\n');
    expect(readdirSync(out).sort()).toEqual([`${server}.key`, 'existing.txt']);

    const clean = tempDir();
    await ok(env, ['certs', 'export', server, '--out', clean]);
    writeFileSync(join(clean, `${server}.crt`), 'stale\n');
    expect(await refused(env, ['certs', 'export', server, '--out', clean])).toMatch(new RegExp(`${server}\\.crt exists; nothing was written \\(add --force to overwrite\\)$`));
    expect(readFileSync(join(clean, `${server}.crt`), 'utf8')).toBe('stale\n');
    await ok(env, ['certs', 'export', server, '--out', clean, '--force']);
    expect(readFileSync(join(clean, `${server}.crt`), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
  }, SLOW);

  it('refuses malformed SANs, absurd validities, bad key sizes and bad bindings in one line each, issuing nothing', async () => {
    const env = meshEnv();
    await ok(env, ['certs', 'ca', 'create', '--key-size', '2048']);
    expect(await allRefused(env, [
      ['certs', 'issue', 'server', '--san', 'localhost', '--san', 'bad..name'],
      ['certs', 'issue', 'server', '--san', ''],
      ['certs', 'issue', 'server', '--san', 'a.*.test'],
      ['certs', 'issue', 'server', '--days', '398'],
      ['certs', 'issue', 'server', '--days', '-1'],
      ['certs', 'issue', 'client', '--cn', 'x', '--days', '100000'],
      ['certs', 'ca', 'rotate', '--days', '0'],
      ['certs', 'ca', 'rotate', '--key-size', '1024'],
      ['certs', 'issue', 'client', '--cn', 'x', '--role', 'viewer', '--user', 'admin'],
      ['certs', 'issue', 'client', '--cn', 'x', '--role', 'wizard'],
      ['certs', 'issue', 'client', '--cn', 'y'.repeat(65)],
      ['certs', 'issue', 'client', '--cn', 'x', '--user', 'ghost'],
    ])).toEqual([
      'devmesh: SAN "bad..name" has an empty label (two dots, or a dot at the start or end)',
      'devmesh: SAN "" is empty',
      'devmesh: SAN "a.*.test" has a wildcard that is not the whole left-most label (only *.example.test is allowed)',
      'devmesh: --days "398": a server certificate is valid for 1 to 397 days',
      'devmesh: --days "-1": a server certificate is valid for 1 to 397 days',
      'devmesh: --days "100000": a client certificate is valid for 1 to 825 days',
      'devmesh: --days "0": a CA certificate is valid for 1 to 7300 days',
      'devmesh: --key-size "1024": RSA keys are 2048, 3072, 4096 bits',
      'devmesh: --role and --user are exclusive: a client certificate acts as a user (with their role) or as itself with a role',
      'devmesh: role "wizard" does not exist; see `devmesh roles list`',
      'devmesh: --cn must be 1 to 64 characters',
      'devmesh: no user "ghost" in tenant default; see `devmesh users list`',
    ]);
    expect((await list(env)).map((c) => c.kind)).toEqual(['ca']);
  }, SLOW);

  it('trust-help exports the CA into the data dir and prints how to trust it, with that path', async () => {
    const env = meshEnv({ MCP_PORT: '9443' });
    expect(await refused(env, ['certs', 'trust-help'])).toMatch(/no certificate authority yet/);
    const ca = serialOf((await ok(env, ['certs', 'ca', 'create', '--key-size', '2048'])).stdout);
    const help = (await ok(env, ['certs', 'trust-help'])).stdout;
    const file = join(env.DEVMESH_DATA_DIR, 'devmesh-ca.pem');
    expect(existsSync(file)).toBe(true);
    expect(new X509Certificate(readFileSync(file)).serialNumber.toLowerCase()).toBe(ca);
    expect(help).toContain(`The mesh CA certificate (${ca}) is in:\n  ${file}\n`);
    for (const line of [
      `sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${file}`,
      `certutil -addstore -f Root "${file}"`,
      `sudo cp ${file} /usr/local/share/ca-certificates/devmesh-ca.crt && sudo update-ca-certificates`,
      `sudo trust anchor --store ${file}`,
      `certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n "Developer Mesh Console CA" -i ${file}`,
      `export NODE_EXTRA_CA_CERTS=${file}`,
      `NODE_EXTRA_CA_CERTS=${file} claude mcp add --transport http devmesh https://localhost:9443/mcp --header "Authorization: Bearer $DEVMESH_API_KEY"`,
    ]) {
      expect(help).toContain(line);
    }
    // Asked again (e.g. after a rotation), it replaces its own file.
    await ok(env, ['certs', 'ca', 'rotate', '--key-size', '2048']);
    await ok(env, ['certs', 'trust-help']);
    expect(new X509Certificate(readFileSync(file)).serialNumber.toLowerCase()).not.toBe(ca);
  }, SLOW);
});
