// What the servers need from the local PKI: the serving certificate of each server, the client CAs, revocation and the identity a client certificate is bound to.

export type ServerName = 'api' | 'mcp';

/** PEM text of a serving certificate: the leaf, its private key and the chain up to (not including) the root. */
export interface ServingMaterial {
  serial: string;
  certPem: string;
  keyPem: string;
  chainPem: string[];
  /** The certificate's DNS SANs, lower-cased (strict SNI accepts only these). */
  dnsNames: string[];
}

/** Who a mesh-issued client certificate authenticates as (mTLS). */
export type CertificateIdentity =
  /** Bound to a user: acts as that user, with the user's role. */
  | { kind: 'user'; serial: string; tenantId: string; userId: string; commonName: string }
  /** Bound to a role only: acts as `cert:<serial>` with that role. */
  | { kind: 'role'; serial: string; tenantId: string; role: string; commonName: string };

/** The PKI as the TLS layer sees it (implemented by the certificate service). Serials are lower-case hex without separators. */
export interface TlsTrustSource {
  /** The certificate a server should present, when one was chosen with `devmesh certs use`; undefined otherwise. */
  servingMaterial(server: ServerName): ServingMaterial | undefined;
  /** PEM certificates of every mesh CA still valid for verification (the current one and rotated ones not yet expired). */
  clientCaPems(): string[];
  /** True if the mesh revoked this certificate (checked on every handshake). */
  isRevoked(serial: string): boolean;
  /** The identity a mesh-issued client certificate is bound to; undefined for an unknown serial or one with no binding. */
  identityFor(serial: string): CertificateIdentity | undefined;
  /** Changes whenever serving certificates, CAs or revocations change (in any process), so servers can reload. */
  version(): number;
}

/** One spelling for a serial wherever it comes from (Node prints upper-case hex, forge lower-case; DER drops leading zero bytes). */
export function normalizeSerial(serial: string): string {
  return serial.toLowerCase().replace(/[^0-9a-f]/g, '').replace(/^0+(?=.)/, '');
}
