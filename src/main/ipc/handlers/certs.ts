// certs:*: the Certificates page — every change made through the certificate service (which audits it) as the console operator; exports written by main where the operator chooses.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { certsChannels } from '../../../shared/ipc/contracts/certs';
import { trustHelpText } from '../../cli/certs-trust-help';
import type { CertActor, CertificateService } from '../../core/certs/certificate-service';
import type { ConsoleHandlers } from '../console-handler';
import { saveExport, type SaveTarget } from '../console-host';

const CA_FILE_NAME = 'devmesh-ca.pem';
const FILE_TYPES = {
  pem: { name: 'PEM bundle', extensions: ['pem'] },
  p12: { name: 'PKCS#12', extensions: ['p12'] },
} as const satisfies Record<string, SaveTarget['filters'][number]>;

interface Bundle {
  content: string | Uint8Array;
  keyIncluded: boolean;
}

/**
 * The service exports to a folder (as `devmesh certs export --out` does) and audits it: the console has it export into a
 * private temporary folder (0700, key files 0600), reads the files back as one bundle for saveExport to write where the
 * operator chose, and removes the folder. The content stays in main: no key crosses into the renderer.
 */
function exportBundle(certs: CertificateService, actor: CertActor, serial: string, format: 'pem' | 'p12', password: string | undefined): Bundle {
  const dir = mkdtempSync(join(tmpdir(), 'devmesh-export-'));
  try {
    if (format === 'p12') {
      const result = certs.exportP12(actor, serial, { dir, password: password ?? '' });
      return { content: readFileSync(result.files[0] as string), keyIncluded: result.keyExported };
    }
    const result = certs.exportPem(actor, serial, { dir });
    // The certificate first, then its chain, then (for a leaf the mesh holds the key of) the private key: one bundle file.
    const order = (file: string): number => (file.endsWith('-chain.crt') ? 1 : file.endsWith('.key') ? 2 : 0);
    const files = [...result.files].sort((a, b) => order(a) - order(b));
    return { content: files.map((file) => readFileSync(file, 'utf8')).join(''), keyIncluded: result.keyExported };
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
    async handle({ mesh, principal, host }, { serial, format, password }) {
      const { certs } = mesh.services;
      // An unknown serial is refused before the dialog opens; the export itself (and its audit event) once a path is chosen.
      const cert = certs.get(principal.tenantId, serial);
      let keyIncluded = false;
      const target = { title: `Export the certificate ${cert.subject_cn || cert.serial}`, defaultName: `${cert.serial}.${format}`, filters: [FILE_TYPES[format]] };
      const outcome = await saveExport(host, target, () => {
        const bundle = exportBundle(certs, principal, cert.serial, format, password);
        keyIncluded = bundle.keyIncluded;
        return bundle.content;
      });
      if (!outcome.saved) return outcome;
      return { ...outcome, serial: cert.serial, format, key_included: keyIncluded };
    },
  },
  'certs:saveCa': {
    // The CA's certificate only (public, as the trust instructions already show its serial): a read.
    needs: [{ resource: 'certs', action: 'read' }],
    async handle({ mesh, principal, host }) {
      const ca = mesh.services.certs.currentCaPem(principal.tenantId);
      const outcome = await saveExport(host, { title: 'Save the mesh CA certificate', defaultName: CA_FILE_NAME, filters: [{ name: 'PEM certificate', extensions: ['pem'] }] }, () => ca.pem);
      return outcome.saved ? { ...outcome, serial: ca.serial } : outcome;
    },
  },
  'certs:trustHelp': {
    needs: [{ resource: 'certs', action: 'read' }],
    handle({ mesh, principal }) {
      const ca = mesh.services.certs.currentCaPem(principal.tenantId);
      const mcpUrl = new URL('/mcp', mesh.urls.mcp.replace(/^http:/, 'https:')).href;
      return { ca_serial: ca.serial, filename: CA_FILE_NAME, text: trustHelpText({ caFile: CA_FILE_NAME, caSerial: ca.serial, mcpUrl }) };
    },
  },
};
