// TLS for both servers: forward-secret AEAD suites only, TLS 1.2+ (1.3 optional), strict SNI, client certificates checked against the mesh CA and its revocations on every handshake, and certificate reload without a restart.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { constants as cryptoConstants } from 'node:crypto';
import { TLSSocket, createSecureContext, type SecureContext, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import type { Logger } from '../../core/logging/logger';
import { normalizeSerial, type ServerName, type TlsTrustSource } from '../../core/certs/types';
import type { TlsConfig } from '../../tls-config';
import { AppError } from '../../../shared/errors';

/** TLS 1.3 suites (all AEAD and forward secret by design), strongest first. */
export const TLS13_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] as const;
/** TLS 1.2: ECDHE with AES-GCM or ChaCha20-Poly1305 only (Node's default list still accepts non-forward-secret CBC suites). */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
] as const;
export const TLS_CURVES = 'X25519:P-256:P-384';
/** How often a running server looks for a new certificate (files changed, `devmesh certs use`, a revocation). */
const RELOAD_CHECK_MS = 2000;

/** Certificate, key and chain the server presents, with where they came from. */
interface ServingCertificate {
  source: 'file' | 'mesh';
  serial: string;
  notAfter: string;
  certChainPem: string;
  keyPem: string;
  /** Host names strict SNI accepts: the certificate's DNS names plus the names the server answers to. */
  serverNames: Set<string>;
}

const verifiedSerials = new WeakMap<object, string | null>();

/** The serial of the client certificate a TLS connection presented and that verified against the client CAs; undefined otherwise. */
export function verifiedClientSerial(socket: unknown): string | undefined {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  let serial = verifiedSerials.get(socket);
  if (serial === undefined) {
    const peer = socket.getPeerCertificate();
    serial = peer !== null && typeof peer.serialNumber === 'string' && peer.serialNumber !== '' ? normalizeSerial(peer.serialNumber) : null;
    verifiedSerials.set(socket, serial);
  }
  return serial ?? undefined;
}

function dnsNamesOf(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
}

function readPem(file: string, variable: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AppError('CONFIG_INVALID', `${variable}=${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'}); point it at a PEM file this user can read`, { cause });
  }
}

function readOcsp(file: string, variable: string): Buffer {
  try {
    return readFileSync(file);
  } catch (cause) {
    throw new AppError('CONFIG_INVALID', `${variable}=${file} cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'}); point it at a DER OCSP response, or unset it`, { cause });
  }
}

/** Checks what a server would present: PEM that parses, a key that belongs to the certificate, not expired. */
function checkServing(certChainPem: string, keyPem: string, what: string): X509Certificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certChainPem);
  } catch (cause) {
    throw new AppError('CONFIG_INVALID', `${what}: the certificate is not a PEM X.509 certificate`, { cause });
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (cause) {
    throw new AppError('CONFIG_INVALID', `${what}: the private key is not a PEM private key (encrypted keys are not supported)`, { cause });
  }
  if (!cert.checkPrivateKey(key)) throw new AppError('CONFIG_INVALID', `${what}: the private key does not belong to the certificate`);
  if (Date.parse(cert.validTo) <= Date.now()) throw new AppError('CONFIG_INVALID', `${what}: the certificate expired on ${new Date(cert.validTo).toISOString()}`);
  return cert;
}

export interface TlsManagerOptions {
  server: ServerName;
  config: TlsConfig;
  /** The mesh PKI: serving certificate chosen with `devmesh certs use`, client CAs, revocations. */
  trust: TlsTrustSource | undefined;
  /** Host names the server answers to (they pass strict SNI as well as the certificate's own names). */
  allowedHosts: readonly string[];
  logger: Logger;
  /** A handshake refused after it completed (revoked or unverifiable client certificate), for the audit trail. */
  onRefused?: (reason: 'revoked' | 'unverified', serial: string | undefined, ip: string | undefined) => void;
  /** A new certificate was loaded while running, or a reload failed (the old one stays). */
  onReload?: (result: { ok: true; serial: string } | { ok: false; error: string }) => void;
}

/** The certificate a server presents now (after any reload) and its TLS settings. */
export interface ServedTls {
  serial: string;
  notAfter: string;
  source: 'file' | 'mesh';
  minVersion: string;
  clientAuth: string;
}

export interface TlsManager {
  /** Options for Fastify's `https`. */
  readonly httpsOptions: SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean; allowHTTP1: boolean; SNICallback: (name: string, cb: (error: Error | null, ctx?: SecureContext) => void) => void };
  /** Serve HTTP/2 (ALPN h2) with HTTP/1.1 as the fallback. */
  readonly http2: boolean;
  /** Hooks the checks that run after each handshake and starts watching for new certificates. */
  attach(server: TlsServer): void;
  /** Loads the current certificate again; a broken one is refused and the one in use stays. */
  reload(): boolean;
  /** What is being served, for the ready line, the audit trail, doctor and the console. */
  describe(): ServedTls;
  close(): void;
}

const VARS = { api: 'API', mcp: 'MCP' } as const;

export function createTlsManager({ server, config, trust, allowedHosts, logger, onRefused, onReload }: TlsManagerOptions): TlsManager {
  const prefix = VARS[server];

  function loadServing(): ServingCertificate {
    if (config.certFile !== undefined && config.keyFile !== undefined) {
      const certChainPem = readPem(config.certFile, `${prefix}_TLS_CERT_FILE`);
      const keyPem = readPem(config.keyFile, `${prefix}_TLS_KEY_FILE`);
      const cert = checkServing(certChainPem, keyPem, `${prefix}_TLS_CERT_FILE/${prefix}_TLS_KEY_FILE`);
      return { source: 'file', serial: normalizeSerial(cert.serialNumber), notAfter: new Date(cert.validTo).toISOString(), certChainPem, keyPem, serverNames: new Set([...dnsNamesOf(cert), ...allowedHosts]) };
    }
    const material = trust?.servingMaterial(server);
    if (material === undefined) {
      throw new AppError('CONFIG_INVALID', `${prefix}_TLS_ENABLED=true needs a certificate: issue one and choose it (\`devmesh certs issue server\`, then \`devmesh certs use <serial> --server ${server}\`), or set ${prefix}_TLS_CERT_FILE and ${prefix}_TLS_KEY_FILE`);
    }
    const certChainPem = [material.certPem, ...material.chainPem].join('\n');
    const cert = checkServing(certChainPem, material.keyPem, `the ${server} server's certificate ${material.serial}`);
    return { source: 'mesh', serial: material.serial, notAfter: new Date(cert.validTo).toISOString(), certChainPem, keyPem: material.keyPem, serverNames: new Set([...material.dnsNames, ...allowedHosts]) };
  }

  function clientCas(): string[] | undefined {
    if (config.clientAuth === 'none') return undefined;
    if (config.clientCaFile !== undefined) return [readPem(config.clientCaFile, `${prefix}_TLS_CLIENT_CA_FILE`)];
    const pems = trust?.clientCaPems() ?? [];
    if (pems.length === 0) {
      throw new AppError('CONFIG_INVALID', `${prefix}_TLS_CLIENT_AUTH=${config.clientAuth} needs a client CA: create the mesh CA (\`devmesh certs ca create\`) or set ${prefix}_TLS_CLIENT_CA_FILE`);
    }
    return pems;
  }

  function contextOptions(serving: ServingCertificate, ca: string[] | undefined): SecureContextOptions {
    return {
      cert: serving.certChainPem,
      key: serving.keyPem,
      ...(ca === undefined ? {} : { ca }),
      minVersion: config.minVersion,
      ciphers: [...TLS13_SUITES, ...TLS12_CIPHERS].join(':'),
      ecdhCurve: TLS_CURVES,
      honorCipherOrder: true,
      // Without tickets, resumption still works through the server's session cache (session ids).
      secureOptions: config.sessionTickets ? 0 : cryptoConstants.SSL_OP_NO_TICKET,
      sessionIdContext: `devmesh-${server}`,
    };
  }

  let serving = loadServing();
  let options = contextOptions(serving, clientCas());
  let context = createSecureContext(options);
  let attached: TlsServer | undefined;
  let watched = fingerprint();
  let timer: NodeJS.Timeout | undefined;
  const ocsp = config.ocspResponseFile === undefined ? undefined : readOcsp(config.ocspResponseFile, `${prefix}_TLS_OCSP_RESPONSE_FILE`);

  /** What changes when the certificate to serve may have changed: file times, or the PKI's version. */
  function fingerprint(): string {
    const times = [config.certFile, config.keyFile, config.clientCaFile].map((file) => {
      if (file === undefined) return '';
      try {
        return String(statSync(file).mtimeMs);
      } catch {
        return 'missing';
      }
    });
    return `${times.join('|')}|${trust?.version() ?? 0}`;
  }

  function reload(): boolean {
    try {
      const next = loadServing();
      const nextOptions = contextOptions(next, clientCas());
      const nextContext = createSecureContext(nextOptions);
      serving = next;
      options = nextOptions;
      context = nextContext;
      attached?.setSecureContext(options);
      onReload?.({ ok: true, serial: next.serial });
      return true;
    } catch (error) {
      const message = error instanceof AppError ? error.message : 'the new certificate could not be loaded';
      logger.error({ err: error, server }, `TLS reload refused; still serving ${serving.serial}: ${message}`);
      onReload?.({ ok: false, error: message });
      return false;
    }
  }

  const httpsOptions = {
    ...options,
    requestCert: config.clientAuth !== 'none',
    // require: no valid client certificate, no handshake. verify and request decide after it (below).
    rejectUnauthorized: config.clientAuth === 'require',
    // With HTTP/2 on, clients that do not offer h2 (curl --http1.1, WebSocket upgrades) still get HTTP/1.1.
    allowHTTP1: true,
    // Strict SNI: a name that is neither ours nor on the certificate is refused before any certificate is sent.
    // Clients connecting to an IP address send no SNI and get the default context.
    SNICallback(name: string, cb: (error: Error | null, ctx?: SecureContext) => void) {
      if (serving.serverNames.has(name.toLowerCase())) cb(null, context);
      else cb(new Error(`unknown server name ${name}`));
    },
  };

  return {
    httpsOptions,
    http2: config.http2,
    attach(server) {
      attached = server;
      server.on('secureConnection', (socket: TLSSocket) => {
        if (config.clientAuth === 'none') return;
        const peer = socket.getPeerCertificate();
        const presented = peer !== null && typeof peer.serialNumber === 'string' && peer.serialNumber !== '';
        if (!presented) return;
        const serial = normalizeSerial(peer.serialNumber);
        if (!socket.authorized && config.clientAuth === 'verify') {
          onRefused?.('unverified', serial, socket.remoteAddress);
          socket.destroy();
          return;
        }
        if (socket.authorized && trust?.isRevoked(serial) === true) {
          onRefused?.('revoked', serial, socket.remoteAddress);
          socket.destroy();
        }
      });
      if (ocsp !== undefined) server.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, cb: (error: Error | null, response?: Buffer) => void) => cb(null, ocsp));
      timer = setInterval(() => {
        const now = fingerprint();
        if (now === watched) return;
        watched = now;
        reload();
      }, RELOAD_CHECK_MS);
      timer.unref();
    },
    reload,
    describe: () => ({ serial: serving.serial, notAfter: serving.notAfter, source: serving.source, minVersion: config.minVersion, clientAuth: config.clientAuth }),
    close() {
      if (timer !== undefined) clearInterval(timer);
    },
  };
}
