// PKCS#12 out (OpenSSL 3 reads it with the right password, without the legacy provider, and refuses the wrong one) and in (OpenSSL's own files, a wrong password named as such).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCaCertificate, buildLeafCertificate, generateRsaKey, newSerial, validityFor } from '../../../../../src/main/core/certs/forge-build';
import { fromPkcs12, toPkcs12 } from '../../../../../src/main/core/certs/pkcs12';
import { parseSans } from '../../../../../src/main/core/certs/san';
import { errorOf } from '../../../../helpers/errors';
import { openssl, opensslSelfSigned } from '../../../../helpers/certs';
import { tempDir } from '../../../../helpers/temp-dir';

const caKey = generateRsaKey(2048);
const caPem = buildCaCertificate({ serial: newSerial(), commonName: 'P12 test CA', validity: validityFor(30, new Date()), key: caKey });
const leafKey = generateRsaKey(2048);
const leafPem = buildLeafCertificate({ kind: 'server', serial: newSerial(), commonName: 'localhost', sans: parseSans(['localhost']), validity: validityFor(10, new Date()), publicKey: leafKey.publicKey, issuer: { certPem: caPem, keyPem: caKey.keyPem } });

describe('toPkcs12', () => {
  it('writes key, certificate and chain that OpenSSL 3 reads with the password (AES-256, PBKDF2-SHA256)', () => {
    const dir = tempDir();
    const file = join(dir, 'leaf.p12');
    writeFileSync(file, toPkcs12({ keyPem: leafKey.keyPem, certPem: leafPem, chainPems: [caPem], password: 'correct horse', friendlyName: 'localhost' }));
    const read = openssl(['pkcs12', '-in', file, '-passin', 'pass:correct horse', '-nodes', '-info']);
    expect(read.status, read.stderr).toBe(0);
    expect(read.stderr).toMatch(/PKCS7 Data/);
    expect(read.stderr).toMatch(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 20000, PRF hmacWithSHA256/);
    expect(read.stdout).toContain('friendlyName: localhost');
    expect(read.stdout).toContain('subject=CN = localhost, O = Developer Mesh Console');
    expect(read.stdout).toContain('subject=CN = P12 test CA, O = Developer Mesh Console');
    expect(read.stdout).toMatch(/-----BEGIN PRIVATE KEY-----/);
    // The key in the file is the key of the certificate.
    const keyOut = openssl(['pkcs12', '-in', file, '-passin', 'pass:correct horse', '-nocerts', '-nodes']).stdout;
    const certOut = openssl(['pkcs12', '-in', file, '-passin', 'pass:correct horse', '-clcerts', '-nokeys']).stdout;
    writeFileSync(join(dir, 'k.pem'), keyOut);
    writeFileSync(join(dir, 'c.pem'), certOut);
    expect(openssl(['pkey', '-in', 'k.pem', '-pubout'], { cwd: dir }).stdout).toBe(openssl(['x509', '-in', 'c.pem', '-noout', '-pubkey'], { cwd: dir }).stdout);
  });

  it('is refused by OpenSSL with a wrong password', () => {
    const file = join(tempDir(), 'leaf.p12');
    writeFileSync(file, toPkcs12({ keyPem: leafKey.keyPem, certPem: leafPem, chainPems: [], password: 'correct horse', friendlyName: 'x' }));
    const read = openssl(['pkcs12', '-in', file, '-passin', 'pass:wrong horse', '-nodes']);
    expect(read.status).not.toBe(0);
    expect(read.stderr).toMatch(/mac verify (failure|error)/i);
  });

  it('can hold certificates only (a CA exported without its key)', () => {
    const file = join(tempDir(), 'ca.p12');
    writeFileSync(file, toPkcs12({ keyPem: undefined, certPem: caPem, chainPems: [], password: 'pw', friendlyName: 'ca' }));
    const read = openssl(['pkcs12', '-in', file, '-passin', 'pass:pw', '-nodes']);
    expect(read.status, read.stderr).toBe(0);
    expect(read.stdout).toContain('subject=CN = P12 test CA');
    expect(read.stdout).not.toContain('PRIVATE KEY');
  });
});

describe('fromPkcs12', () => {
  it('reads back what toPkcs12 wrote', () => {
    const der = toPkcs12({ keyPem: leafKey.keyPem, certPem: leafPem, chainPems: [caPem], password: 'pw', friendlyName: 'x' });
    const contents = fromPkcs12(der, 'pw', 'leaf.p12');
    expect(contents.certPems).toHaveLength(2);
    expect(contents.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it("reads OpenSSL 3's default PKCS#12 (AES-256, SHA-256 MAC)", () => {
    const dir = tempDir();
    const { cert, key } = opensslSelfSigned(dir, 'imported');
    const made = openssl(['pkcs12', '-export', '-in', cert, '-inkey', key, '-out', join(dir, 'x.p12'), '-passout', 'pass:s3cret']);
    expect(made.status, made.stderr).toBe(0);
    const contents = fromPkcs12(readFileSync(join(dir, 'x.p12')), 's3cret', 'x.p12');
    expect(contents.certPems).toHaveLength(1);
    expect(contents.certPems[0]?.replace(/\r/g, '')).toBe(readFileSync(cert, 'utf8'));
  });

  it('says "wrong PKCS#12 password" for a wrong password, and "not a PKCS#12 file" for anything else', () => {
    const der = toPkcs12({ keyPem: leafKey.keyPem, certPem: leafPem, chainPems: [], password: 'right', friendlyName: 'x' });
    const wrong = errorOf(() => fromPkcs12(der, 'wrong', '--p12 leaf.p12'));
    expect(wrong.code).toBe('VALIDATION_FAILED');
    expect(wrong.message).toBe('--p12 leaf.p12: wrong PKCS#12 password');
    expect(errorOf(() => fromPkcs12(Buffer.from(leafPem), 'right', '--p12 leaf.pem')).message).toMatch(/^--p12 leaf.pem is not a PKCS#12 file/);
    expect(errorOf(() => fromPkcs12(Buffer.alloc(0), 'right', '--p12 empty')).message).toMatch(/is not a PKCS#12 file/);
  });
});
