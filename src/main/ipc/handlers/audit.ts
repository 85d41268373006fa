// audit:verify: "Verify now" — the whole hash chain (and a pruned base's signed checkpoint), on a worker thread for big trails, recorded as audit_verified.
import type { auditChannels } from '../../../shared/ipc/contracts/audit';
import { createAuditedVerify, verifyDto, type AuditedVerify } from '../../core/audit/audited-verify';
import type { Mesh } from '../../mesh';
import type { ConsoleHandlers } from '../console-handler';

// One verifier per mesh, so two clicks (or two windows) share a run.
const verifiers = new WeakMap<Mesh, AuditedVerify>();

function verifierOf(mesh: Mesh): AuditedVerify {
  let verify = verifiers.get(mesh);
  if (verify === undefined) {
    const { db, audit, secrets, storage } = mesh.core;
    verify = createAuditedVerify({ db, audit, secrets, file: storage.file, nativeBinding: mesh.nativeBinding });
    verifiers.set(mesh, verify);
  }
  return verify;
}

export const auditHandlers: ConsoleHandlers<keyof typeof auditChannels> = {
  'audit:verify': {
    needs: [{ resource: 'audit', action: 'read' }],
    async handle({ mesh, principal, request }) {
      const result = await verifierOf(mesh)(principal, request);
      return { ...verifyDto(result), verified_at: new Date().toISOString() };
    },
  },
};
