// Certificates for TLS tests made with the openssl CLI (independent of the mesh's own PKI): a CA, server and client leaves signed by it.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PemPair {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

function openssl(args: string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
}

function pair(dir: string, name: string): PemPair {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

export function makeCa(dir: string, name: string): PemPair {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${name}`, '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return pair(dir, name);
}

/** A leaf signed by `ca`: a server certificate with DNS/IP SANs, or a client certificate (clientAuth). */
export function makeLeaf(dir: string, ca: PemPair, name: string, { client = false, sans = ['DNS:localhost', 'IP:127.0.0.1'], days = 30 }: { client?: boolean; sans?: string[]; days?: number } = {}): PemPair & { serial: string } {
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
  const ext = [
    'basicConstraints=CA:FALSE',
    `keyUsage=critical,digitalSignature,keyEncipherment`,
    `extendedKeyUsage=${client ? 'clientAuth' : 'serverAuth'}`,
    ...(sans.length > 0 && !client ? [`subjectAltName=${sans.join(',')}`] : []),
  ].join('\n');
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-out', `${name}.crt`, '-days', String(days), '-sha256', '-extfile', `${name}.ext`], dir);
  const serial = spawnSync('openssl', ['x509', '-in', `${name}.crt`, '-noout', '-serial'], { cwd: dir, encoding: 'utf8' }).stdout.trim().replace(/^serial=/, '');
  return { ...pair(dir, name), serial: serial.toLowerCase().replace(/^0+(?=.)/, '') };
}

/** Runs a command with stdin closed, without blocking this process: a mesh under test answers from it, so a blocking spawn would deadlock a handshake. */
export function runAsync(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}
