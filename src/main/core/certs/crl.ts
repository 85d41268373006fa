// A v2 certificate revocation list (RFC 5280 §5) built with forge.asn1, which has no CRL builder, and signed SHA256withRSA by the CA's key.
import { sign as signData } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
const OID = {
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  authorityKeyIdentifier: '2.5.29.35',
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
};

/** RFC 5280 CRLReason names a revocation may give; `unspecified` adds no reasonCode entry extension. */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  privilegeWithdrawn: 9,
} as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

export function isRevocationReason(value: string): value is RevocationReason {
  return Object.hasOwn(REVOCATION_REASONS, value);
}

export interface RevokedEntry {
  serial: string;
  revokedAt: Date;
  reason: string | null;
}

export interface CrlInput {
  caCertPem: string;
  /** The CA's private key (PKCS#8 PEM); the signature is made by Node's crypto. */
  caKeyPem: string;
  revoked: readonly RevokedEntry[];
  thisUpdate: Date;
  nextUpdate: Date;
  /** Must grow with every CRL the CA issues. */
  crlNumber: number;
}

type Node = forge.asn1.Asn1;

const seq = (value: Node[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, value);
const oid = (value: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(value).getBytes());
const octets = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);

/** A non-negative INTEGER from hex, with the 0x00 pad DER needs when the high bit is set. */
function integerFromHex(hex: string): Node {
  let bytes = forge.util.hexToBytes(hex.length % 2 === 1 ? `0${hex}` : hex);
  while (bytes.length > 1 && bytes.charCodeAt(0) === 0 && bytes.charCodeAt(1) < 0x80) bytes = bytes.slice(1);
  if (bytes.charCodeAt(0) >= 0x80) bytes = `\x00${bytes}`;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, bytes);
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §5.1.2.4). */
function time(date: Date): Node {
  return date.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function extension(id: string, value: Node): Node {
  return seq([oid(id), octets(asn1.toDer(value).getBytes())]);
}

/** The issuer Name exactly as the CA certificate encodes its subject (byte for byte, so chain matching cannot differ). */
function subjectNameOf(caCertPem: string): Node {
  const der = forge.pem.decode(caCertPem)[0]?.body;
  if (der === undefined) throw new TypeError('the CA certificate is not PEM');
  const tbs = (asn1.fromDer(der).value as Node[])[0] as Node;
  const fields = tbs.value as Node[];
  // TBSCertificate: [0] version (explicit tag, present in v3), serial, signature, issuer, validity, subject, ...
  const offset = fields[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  return fields[offset + 4] as Node;
}

export function buildCrlPem({ caCertPem, caKeyPem, revoked, thisUpdate, nextUpdate, crlNumber }: CrlInput): string {
  const ca = forge.pki.certificateFromPem(caCertPem);
  const ski = ca.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null;
  const keyId = ski?.subjectKeyIdentifier !== undefined ? forge.util.hexToBytes(ski.subjectKeyIdentifier) : ca.generateSubjectKeyIdentifier().getBytes();
  const algorithm = seq([oid(OID.sha256WithRSAEncryption), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]);

  const entries = revoked.map((entry) => {
    const code = entry.reason !== null && isRevocationReason(entry.reason) ? REVOCATION_REASONS[entry.reason] : 0;
    const fields = [integerFromHex(entry.serial), time(entry.revokedAt)];
    if (code !== 0) fields.push(seq([extension(OID.reasonCode, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.ENUMERATED, false, String.fromCharCode(code)))]));
    return seq(fields);
  });

  const tbsFields: Node[] = [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(1).getBytes()),
    algorithm,
    subjectNameOf(caCertPem),
    time(thisUpdate),
    time(nextUpdate),
  ];
  // An empty revokedCertificates must be left out, not encoded as an empty SEQUENCE.
  if (entries.length > 0) tbsFields.push(seq(entries));
  tbsFields.push(
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      seq([
        extension(OID.authorityKeyIdentifier, seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, keyId)])),
        // Not asn1.integerToDer: it stops at 32 bits, and a CRL number made of seconds passes that in 2038.
        extension(OID.cRLNumber, integerFromHex(crlNumber.toString(16))),
      ]),
    ]),
  );
  const tbs = seq(tbsFields);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = signData('sha256', tbsDer, caKeyPem);
  const crl = seq([tbs, algorithm, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\x00${signature.toString('binary')}`)]);
  return forge.pem.encode({ type: 'X509 CRL', body: asn1.toDer(crl).getBytes() }, { maxline: 64 });
}
