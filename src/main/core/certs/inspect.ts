// Reads certificates and private keys from PEM with Node's X509Certificate (any key type, unlike forge), with errors that say what the file is instead.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { normalizeSerial } from './types';
import { readSubjectAltName } from './san';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |)PRIVATE KEY)-----[\s\S]*?-----END \1-----/;
const ANY_LABEL = /-----BEGIN ([A-Z0-9 ]+)-----/;

const EKU_NAMES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

/** What the mesh records and shows about a certificate. */
export interface CertificateFacts {
  serial: string;
  /** One line, RDNs in certificate order: `CN=localhost, O=Developer Mesh Console`. */
  subject: string;
  subjectCn: string;
  issuer: string;
  /** `DNS:localhost`, `IP:127.0.0.1`, `IP:::1`, `URI:...`, `email:...`. */
  sans: string[];
  notBefore: string;
  notAfter: string;
  /** Colon-separated upper-case hex, as `openssl x509 -fingerprint` prints it. */
  sha256: string;
  sha1: string;
  isCa: boolean;
  /** Extended key usage names (OIDs when unknown); undefined when the certificate has none (any use). */
  extKeyUsage: string[] | undefined;
  /** `RSA 3072`, `EC prime256v1`, `ED25519`. */
  keyAlgorithm: string;
  selfSigned: boolean;
}

function notPem(what: string, text: string, expected: string): AppError {
  const label = ANY_LABEL.exec(text)?.[1];
  if (label !== undefined) return new AppError('VALIDATION_FAILED', `${what} holds a ${label}, not ${expected}`);
  return new AppError('VALIDATION_FAILED', `${what} is not PEM (expected -----BEGIN ${expected.toUpperCase().replace(/^A /, '')}-----); convert DER with \`openssl x509 -inform der -in FILE -out cert.pem\``);
}

/** Every certificate in a PEM text, in order; `what` names the source in errors (e.g. "--cert server.pem"). */
export function parseCertificates(text: string, what: string): X509Certificate[] {
  const blocks = text.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) throw notPem(what, text, 'a certificate');
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (cause) {
      throw new AppError('VALIDATION_FAILED', `${what}: certificate ${index + 1} is damaged and cannot be read`, { cause });
    }
  });
}

/** The first certificate of a PEM text (the mesh's own stored PEM is always exactly one). */
export function parseCertificate(text: string, what: string): X509Certificate {
  return parseCertificates(text, what)[0] as X509Certificate;
}

/** An unencrypted PEM private key (PKCS#8, PKCS#1 or SEC1). */
export function parsePrivateKey(text: string, what: string): KeyObject {
  if (text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new AppError('VALIDATION_FAILED', `${what} is encrypted; decrypt it first (\`openssl pkey -in FILE -out key.pem\`) and import that`);
  }
  const block = KEY_BLOCK.exec(text)?.[0];
  if (block === undefined) throw notPem(what, text, 'a private key');
  try {
    return createPrivateKey(block);
  } catch (cause) {
    throw new AppError('VALIDATION_FAILED', `${what}: the private key is damaged or of an unsupported type`, { cause });
  }
}

/** PKCS#8 PEM, the one form the mesh stores keys in. */
export function pkcs8Pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}

function oneLineDn(dn: string): string {
  return dn.split('\n').filter((part) => part !== '').join(', ');
}

function commonName(dn: string): string {
  const line = dn.split('\n').find((part) => part.startsWith('CN='));
  return line === undefined ? '' : line.slice(3).replace(/\\(.)/g, '$1');
}

function keyAlgorithm(cert: X509Certificate): string {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const type = (key.asymmetricKeyType ?? 'unknown').toUpperCase();
  if (details.modulusLength !== undefined) return `${type} ${details.modulusLength}`;
  if (details.namedCurve !== undefined) return `${type} ${details.namedCurve}`;
  return type;
}

/** True if `issuer` issued `cert` and its signature verifies. */
export function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

export function certificateFacts(cert: X509Certificate): CertificateFacts {
  const eku = cert.keyUsage as string[] | undefined;
  return {
    serial: normalizeSerial(cert.serialNumber),
    subject: oneLineDn(cert.subject),
    subjectCn: commonName(cert.subject),
    issuer: oneLineDn(cert.issuer),
    sans: readSubjectAltName(cert.subjectAltName),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    sha256: cert.fingerprint256,
    sha1: cert.fingerprint,
    isCa: cert.ca,
    extKeyUsage: eku === undefined ? undefined : eku.map((oid) => EKU_NAMES[oid] ?? oid),
    keyAlgorithm: keyAlgorithm(cert),
    selfSigned: issuedBy(cert, cert),
  };
}

/** Whether a certificate may be presented by a TLS server: not a CA, and no EKU or one that includes serverAuth. */
export function serverCapable(facts: Pick<CertificateFacts, 'isCa' | 'extKeyUsage'>): boolean {
  return !facts.isCa && (facts.extKeyUsage === undefined || facts.extKeyUsage.includes('serverAuth') || facts.extKeyUsage.includes('anyExtendedKeyUsage'));
}
