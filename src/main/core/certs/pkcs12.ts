// PKCS#12 (.p12/.pfx) in and out with forge: written with AES-256 and PBKDF2-SHA256 so OpenSSL 3 reads it without its legacy provider.
import forge from 'node-forge';
import { AppError } from '../../../shared/errors';

/** PBKDF2 iterations for the key and the MAC; forge is pure JavaScript, so this is a balance of strength and a few hundred ms. */
const ITERATIONS = 20_000;

export interface Pkcs12Input {
  /** PKCS#8 PEM; undefined for a certificates-only bundle (a CA exported without its key). */
  keyPem: string | undefined;
  certPem: string;
  chainPems: readonly string[];
  password: string;
  friendlyName: string;
}

function forgeCertificate(pem: string): forge.pki.Certificate {
  try {
    return forge.pki.certificateFromPem(pem);
  } catch (cause) {
    throw new AppError('VALIDATION_FAILED', 'PKCS#12 export supports RSA certificates only; export PEM instead', { cause });
  }
}

export function toPkcs12({ keyPem, certPem, chainPems, password, friendlyName }: Pkcs12Input): Buffer {
  let key: forge.pki.rsa.PrivateKey | null = null;
  if (keyPem !== undefined) {
    try {
      key = forge.pki.privateKeyFromPem(keyPem);
    } catch (cause) {
      throw new AppError('VALIDATION_FAILED', 'PKCS#12 export supports RSA keys only; export PEM instead', { cause });
    }
  }
  const certs = [certPem, ...chainPems].map(forgeCertificate);
  const pfx = forge.pkcs12.toPkcs12Asn1(key, certs, password, {
    algorithm: 'aes256',
    count: ITERATIONS,
    friendlyName,
    // Read by pki.encryptPrivateKeyInfo; missing from @types/node-forge.
    ...({ prfAlgorithm: 'sha256' } as object),
  });
  return Buffer.from(forge.asn1.toDer(pfx).getBytes(), 'binary');
}

export interface Pkcs12Contents {
  /** PKCS#8 PEM of the one private key. */
  keyPem: string;
  /** Every certificate in the file (the caller pairs the key with its certificate). */
  certPems: string[];
}

type Bag = forge.pkcs12.Bag & { asn1?: forge.asn1.Asn1 };

const pemOf = (type: string, node: forge.asn1.Asn1) => forge.pem.encode({ type, body: forge.asn1.toDer(node).getBytes() }, { maxline: 64 });

/** A bag's private key as PKCS#8 PEM: forge reads RSA keys; others (EC) it leaves as ASN.1, which Node reads. */
function keyPemOf(bag: Bag): string | undefined {
  if (bag.key !== undefined && bag.key !== null) return forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key as forge.pki.rsa.PrivateKey)));
  return bag.asn1 === undefined ? undefined : pemOf('PRIVATE KEY', bag.asn1);
}

function certPemOf(bag: Bag): string | undefined {
  if (bag.cert !== undefined && bag.cert !== null) return forge.pki.certificateToPem(bag.cert);
  return bag.asn1 === undefined ? undefined : pemOf('CERTIFICATE', bag.asn1);
}

/** Reads a PKCS#12 file; a wrong password is reported as such, not as a parse failure. */
export function fromPkcs12(der: Buffer, password: string, what: string): Pkcs12Contents {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const parsed = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(parsed, false, password);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : '';
    if (/MAC could not be verified|wrong password|Invalid password/i.test(message)) throw new AppError('VALIDATION_FAILED', `${what}: wrong PKCS#12 password`, { cause });
    throw new AppError('VALIDATION_FAILED', `${what} is not a PKCS#12 file this mesh can read (or uses an unsupported encryption)`, { cause });
  }
  const bags = (type: string): Bag[] => p12.getBags({ bagType: type })[type] ?? [];
  const keys = [...bags(forge.pki.oids.pkcs8ShroudedKeyBag as string), ...bags(forge.pki.oids.keyBag as string)].map(keyPemOf);
  const certs = bags(forge.pki.oids.certBag as string).map(certPemOf);
  const keyPem = keys[0];
  if (keys.length !== 1 || keyPem === undefined) throw new AppError('VALIDATION_FAILED', `${what} must hold exactly one private key (it holds ${keys.length})`);
  if (certs.length === 0 || certs.some((pem) => pem === undefined)) throw new AppError('VALIDATION_FAILED', `${what} holds no certificate`);
  return { keyPem, certPems: certs as string[] };
}
