// audit:*: the Audit page — search pages, one event in full, "Verify now" (on a worker thread for big trails) and export to a file the operator chooses.
import type { auditChannels } from '../../../shared/ipc/contracts/audit';
import { AppError } from '../../../shared/errors';
import { auditContext } from '../../core/auth/principal';
import { lineToEvent } from '../../core/audit/audit-service';
import { createAuditedVerify, verifyDto, type AuditedVerify } from '../../core/audit/audited-verify';
import { loadCheckpointKey, withCheckpointKey } from '../../core/audit/checkpoint';
import { exportAudit, exportedEvent, type ExportSummary } from '../../core/audit/export';
import { createLineReader, type LineReader } from '../../core/audit/lines';
import type { Mesh } from '../../mesh';
import type { ConsoleHandlers } from '../console-handler';
import { saveExport } from '../console-host';
import { auditRow, storedFilter } from './audit-rows';

// One verifier per mesh, so two clicks (or two windows) share a run; one line reader (prepared statements) per mesh.
const verifiers = new WeakMap<Mesh, AuditedVerify>();
const readers = new WeakMap<Mesh, LineReader>();

function verifierOf(mesh: Mesh): AuditedVerify {
  let verify = verifiers.get(mesh);
  if (verify === undefined) {
    const { db, audit, secrets, storage } = mesh.core;
    verify = createAuditedVerify({ db, audit, secrets, file: storage.file, nativeBinding: mesh.nativeBinding });
    verifiers.set(mesh, verify);
  }
  return verify;
}

export function readerOf(mesh: Mesh): LineReader {
  let reader = readers.get(mesh);
  if (reader === undefined) {
    reader = createLineReader(mesh.core.db);
    readers.set(mesh, reader);
  }
  return reader;
}

const READ = [{ resource: 'audit', action: 'read' }] as const;
const FILE_TYPES = { jsonl: { name: 'JSON lines (verifiable)', extensions: ['jsonl'] }, csv: { name: 'CSV', extensions: ['csv'] } } as const;

export const auditHandlers: ConsoleHandlers<keyof typeof auditChannels> = {
  'audit:verify': {
    needs: READ,
    async handle({ mesh, principal, request }) {
      const result = await verifierOf(mesh)(principal, request);
      return { ...verifyDto(result), verified_at: new Date().toISOString() };
    },
  },
  'audit:query': {
    needs: READ,
    handle({ mesh, principal }, { cursor, limit, ...filter }) {
      // The head first: whatever commits during the search is both in it and after `head`; the page drops the repeats.
      const head = readerOf(mesh).head();
      const page = mesh.core.audit.query({ ...storedFilter(filter), tenant_id: principal.tenantId, cursor, limit });
      return { rows: page.events.map(auditRow), next_cursor: page.next_cursor, head };
    },
  },
  'audit:event': {
    needs: READ,
    handle({ mesh, principal }, { seq }) {
      const { lines } = readerOf(mesh).page(seq - 1, { tenantId: principal.tenantId, through: seq });
      const found = lines.find((l) => l.seq === seq);
      if (found === undefined) throw new AppError('NOT_FOUND', `no audit event ${seq} in this tenant's trail (retention may have removed it)`);
      return { event: lineToEvent(found.line), raw: found.line };
    },
  },
  'audit:export': {
    needs: READ,
    async handle({ mesh, principal, request, host }, { format, since: sinceInput, until: untilInput }) {
      const { db, audit, secrets, installationId } = mesh.core;
      const { since, until } = storedFilter({ since: sinceInput, until: untilInput });
      let summary: ExportSummary | undefined;
      const day = new Date().toISOString().slice(0, 10);
      const outcome = await saveExport(host, { title: 'Export the audit trail', defaultName: `devmesh-audit-${day}.${format}`, filters: [FILE_TYPES[format]] }, () => {
        // The write lock only the first time, to create the signing key.
        const signingKey = loadCheckpointKey(secrets) ?? withCheckpointKey(db, secrets, (key) => key);
        return exportAudit({
          db,
          audit,
          format,
          tenantId: principal.tenantId,
          since,
          until,
          signingKey,
          installationId,
          onEnd: (ended, error) => {
            summary = ended;
            audit.append({ ...exportedEvent(ended, error, { since, until, via: 'console' }), subject: principal.subject, tenant_id: principal.tenantId, ...auditContext(request) });
          },
        });
      });
      if (!outcome.saved) return outcome;
      return { ...outcome, count: summary?.count ?? 0, signed: summary?.signed ?? false };
    },
  },
};
