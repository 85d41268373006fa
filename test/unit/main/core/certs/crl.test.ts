// The hand-built CRL: openssl verifies its signature against the CA, lists each revoked serial (with its reason) and refuses it under another CA.
import { describe, expect, it } from 'vitest';
import { buildCrlPem } from '../../../../../src/main/core/certs/crl';
import { buildCaCertificate, generateRsaKey, newSerial, validityFor } from '../../../../../src/main/core/certs/forge-build';
import { openssl, pemFile } from '../../../../helpers/certs';
import { tempDir } from '../../../../helpers/temp-dir';

function ca(commonName: string): { certPem: string; keyPem: string } {
  const key = generateRsaKey(2048);
  return { certPem: buildCaCertificate({ serial: newSerial(), commonName, validity: validityFor(30, new Date()), key }), keyPem: key.keyPem };
}

const THIS_UPDATE = new Date('2030-06-01T12:00:00.000Z');
const NEXT_UPDATE = new Date('2030-06-08T12:00:00.000Z');

describe('buildCrlPem', () => {
  const root = ca('CRL test CA');
  const other = ca('Another CA');

  it('is a v2 CRL signed by the CA, listing each serial with its date and reason', () => {
    const dir = tempDir();
    const pem = buildCrlPem({
      caCertPem: root.certPem,
      caKeyPem: root.keyPem,
      revoked: [
        { serial: '5e0c49d2ce16517b17fd7c052395f3df', revokedAt: new Date('2030-05-30T10:00:00.000Z'), reason: 'keyCompromise' },
        // High bit set: needs a 0x00 pad to stay positive. Odd length: the lead's normalized form drops a leading zero.
        { serial: 'ff01', revokedAt: new Date('2030-05-31T10:00:00.000Z'), reason: 'unspecified' },
        { serial: 'abc', revokedAt: new Date('2030-05-31T11:00:00.000Z'), reason: null },
      ],
      thisUpdate: THIS_UPDATE,
      nextUpdate: NEXT_UPDATE,
      crlNumber: 4_102_444_800,
    });
    expect(pem).toMatch(/^-----BEGIN X509 CRL-----\r?\n[\s\S]+-----END X509 CRL-----\r?\n?$/);
    pemFile(dir, 'ca.pem', root.certPem);
    pemFile(dir, 'crl.pem', pem);
    const result = openssl(['crl', '-in', 'crl.pem', '-CAfile', 'ca.pem', '-verify', '-noout', '-text'], { cwd: dir });
    expect(result.stderr).toContain('verify OK');
    expect(result.status).toBe(0);
    const text = result.stdout;
    expect(text).toContain('Version 2 (0x1)');
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(text).toContain('Issuer: CN = CRL test CA, O = Developer Mesh Console');
    expect(text).toContain('Last Update: Jun  1 12:00:00 2030 GMT');
    expect(text).toContain('Next Update: Jun  8 12:00:00 2030 GMT');
    // Beyond 32 bits (2100-01-01 in seconds), which asn1.integerToDer cannot write.
    expect(text).toMatch(/CRL Number: \n\s+4102444800/);
    expect(text).toMatch(/X509v3 Authority Key Identifier: \n\s+[0-9A-F:]{59}/);
    expect(text).toMatch(/Serial Number: 5E0C49D2CE16517B17FD7C052395F3DF\n\s+Revocation Date: May 30 10:00:00 2030 GMT\n\s+CRL entry extensions:\n\s+X509v3 CRL Reason Code: \n\s+Key Compromise/);
    expect(text).toMatch(/Serial Number: FF01\n\s+Revocation Date: May 31 10:00:00 2030 GMT\n(?!\s+CRL entry)/);
    expect(text).toMatch(/Serial Number: 0ABC\n/);
    // The authority key id is the CA's subject key id.
    const ski = openssl(['x509', '-in', 'ca.pem', '-noout', '-ext', 'subjectKeyIdentifier'], { cwd: dir }).stdout.trim().split('\n')[1]?.trim();
    expect(text).toContain(ski);
  });

  it('leaves revokedCertificates out when nothing is revoked, and still verifies', () => {
    const dir = tempDir();
    pemFile(dir, 'ca.pem', root.certPem);
    pemFile(dir, 'crl.pem', buildCrlPem({ caCertPem: root.certPem, caKeyPem: root.keyPem, revoked: [], thisUpdate: THIS_UPDATE, nextUpdate: NEXT_UPDATE, crlNumber: 1 }));
    const result = openssl(['crl', '-in', 'crl.pem', '-CAfile', 'ca.pem', '-verify', '-noout', '-text'], { cwd: dir });
    expect(result.stderr).toContain('verify OK');
    expect(result.stdout).toContain('No Revoked Certificates.');
  });

  it('writes GeneralizedTime from 2050 on', () => {
    const dir = tempDir();
    pemFile(dir, 'ca.pem', root.certPem);
    pemFile(dir, 'crl.pem', buildCrlPem({ caCertPem: root.certPem, caKeyPem: root.keyPem, revoked: [{ serial: '01', revokedAt: new Date('2051-01-02T03:04:05.000Z'), reason: 'superseded' }], thisUpdate: new Date('2051-01-02T03:04:05.000Z'), nextUpdate: new Date('2051-01-09T03:04:05.000Z'), crlNumber: 2 }));
    const result = openssl(['crl', '-in', 'crl.pem', '-CAfile', 'ca.pem', '-verify', '-noout', '-text'], { cwd: dir });
    expect(result.stderr).toContain('verify OK');
    expect(result.stdout).toContain('Last Update: Jan  2 03:04:05 2051 GMT');
    expect(result.stdout).toMatch(/Revocation Date: Jan {2}2 03:04:05 2051 GMT\n\s+CRL entry extensions:\n\s+X509v3 CRL Reason Code: \n\s+Superseded/);
  });

  it('does not verify against another CA, nor when signed with a key that is not the CA’s', () => {
    const dir = tempDir();
    pemFile(dir, 'ca.pem', root.certPem);
    pemFile(dir, 'other.pem', other.certPem);
    pemFile(dir, 'crl.pem', buildCrlPem({ caCertPem: root.certPem, caKeyPem: root.keyPem, revoked: [], thisUpdate: THIS_UPDATE, nextUpdate: NEXT_UPDATE, crlNumber: 1 }));
    expect(openssl(['crl', '-in', 'crl.pem', '-CAfile', 'other.pem', '-verify', '-noout'], { cwd: dir }).stderr).not.toContain('verify OK');
    pemFile(dir, 'forged.pem', buildCrlPem({ caCertPem: root.certPem, caKeyPem: other.keyPem, revoked: [], thisUpdate: THIS_UPDATE, nextUpdate: NEXT_UPDATE, crlNumber: 1 }));
    const forged = openssl(['crl', '-in', 'forged.pem', '-CAfile', 'ca.pem', '-verify', '-noout'], { cwd: dir });
    expect(forged.stderr).not.toContain('verify OK');
    expect(forged.stderr).toMatch(/verify failure/i);
  });
});
