// certs:*: the Certificates page — every change made through the certificate service (which audits it) as the console operator.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { certsChannels, CertificateExport } from '../../../shared/ipc/contracts/certs';
import { trustHelpText } from '../../cli/certs-trust-help';
import type { CertActor, CertificateService } from '../../core/certs/certificate-service';
import type { ConsoleHandlers } from '../console-handler';

const CA_FILE_NAME = 'devmesh-ca.pem';

/**
 * The service exports to a directory (as `devmesh certs export --out` does) and audits it; the console has no directory of
 * its own yet, so it exports into a private temporary one, reads the files back for the renderer to save, and removes it.
 * A native save dialog (src/main/app, Electron only) would give the service the chosen directory instead.
 */
function exportContents(certs: CertificateService, actor: CertActor, serial: string, format: 'pem' | 'p12', password: string | undefined): CertificateExport {
  const dir = mkdtempSync(join(tmpdir(), 'devmesh-export-'));
  try {
    if (format === 'p12') {
      const result = certs.exportP12(actor, serial, { dir, password: password ?? '' });
      const file = result.files[0] as string;
      return { serial: result.certificate.serial, filename: basename(file), mime: 'application/x-pkcs12', encoding: 'base64', content: readFileSync(file).toString('base64') };
    }
    const result = certs.exportPem(actor, serial, { dir });
    // The certificate first, then its chain, then (for a leaf the mesh holds the key of) the private key: one bundle file.
    const order = (file: string): number => (file.endsWith('-chain.crt') ? 1 : file.endsWith('.key') ? 2 : 0);
    const files = [...result.files].sort((a, b) => order(a) - order(b));
    const content = files.map((file) => readFileSync(file, 'utf8')).join('');
    return { serial: result.certificate.serial, filename: `${result.certificate.serial}.pem`, mime: 'application/x-pem-file', encoding: 'utf8', content };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const certsHandlers: ConsoleHandlers<keyof typeof certsChannels> = {
  'certs:list': {
    needs: [{ resource: 'certs', action: 'read' }],
    handle({ mesh, principal }) {
      const { certs } = mesh.services;
      const certificates = certs.list(principal.tenantId);
      const current = certificates.find((c) => c.is_current_ca);
      return { certificates, current_ca: current?.serial ?? null, serving: certs.serving(principal.tenantId) };
    },
  },
  'certs:show': {
    needs: [{ resource: 'certs', action: 'read' }],
    handle: ({ mesh, principal }, input) => mesh.services.certs.get(principal.tenantId, input.serial),
  },
  'certs:createCa': {
    needs: [{ resource: 'certs', action: 'write' }],
    handle: ({ mesh, principal }, input) => mesh.services.certs.createCa(principal, input ?? {}),
  },
  'certs:rotateCa': {
    needs: [{ resource: 'certs', action: 'manage' }],
    handle: ({ mesh, principal }, input) => mesh.services.certs.rotateCa(principal, input ?? {}),
  },
  'certs:issueServer': {
    needs: [{ resource: 'certs', action: 'write' }],
    handle: ({ mesh, principal }, input) => mesh.services.certs.issueServer(principal, { sans: input.sans.filter((san) => san !== ''), days: input.days, commonName: input.commonName }),
  },
  'certs:issueClient': {
    needs: [{ resource: 'certs', action: 'write' }],
    handle: ({ mesh, principal }, input) => mesh.services.certs.issueClient(principal, input),
  },
  'certs:revoke': {
    needs: [{ resource: 'certs', action: 'delete' }],
    handle: ({ mesh, principal }, input) => mesh.services.certs.revoke(principal, input.serial, input.reason),
  },
  'certs:use': {
    needs: [{ resource: 'certs', action: 'write' }],
    handle: ({ mesh, principal }, input) => mesh.services.certs.use(principal, input.serial, [...new Set(input.servers)]).certificate,
  },
  'certs:export': {
    // The bundle carries the private key of a leaf the mesh holds: as much as rotating the CA, not a read.
    needs: [{ resource: 'certs', action: 'manage' }],
    handle: ({ mesh, principal }, input) => exportContents(mesh.services.certs, principal, input.serial, input.format, input.password),
  },
  'certs:trustHelp': {
    needs: [{ resource: 'certs', action: 'read' }],
    handle({ mesh, principal }) {
      const ca = mesh.services.certs.currentCaPem(principal.tenantId);
      const mcpUrl = new URL('/mcp', mesh.urls.mcp.replace(/^http:/, 'https:')).href;
      return { ca_serial: ca.serial, ca_pem: ca.pem, filename: CA_FILE_NAME, text: trustHelpText({ caFile: CA_FILE_NAME, caSerial: ca.serial, mcpUrl }) };
    },
  },
};
