// The certificate authority: create one when there is none, or rotate it (after a confirmation) — the old CA stays trusted for client certificates until it ends.
import { useState } from 'react';
import type { Certificate } from '../../../../shared/ipc/contracts/certs';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Section } from '../../components/section';
import { ErrorState } from '../../components/status';
import { formatDateTime } from '../../lib/format';
import { useCertsStore } from './store';

export function CaSection({ ca }: { ca: Certificate | undefined }): React.JSX.Element {
  const run = useCertsStore((s) => s.run);
  const busy = useCertsStore((s) => s.busy);
  const failure = useCertsStore((s) => s.failure);
  const [confirming, setConfirming] = useState(false);
  const shown = failure !== null && (failure.action === 'createCa' || failure.action === 'rotateCa') ? failure.error : null;

  return (
    <Section title="Certificate authority">
      {ca === undefined ? (
        <div className="ca-empty">
          <p className="state state-empty">No CA yet — create one. The mesh signs its server and client certificates with it; its private key never leaves the secret store.</p>
          <button type="button" className="primary" disabled={busy !== null} onClick={() => void run('createCa', () => window.mesh.certsCreateCa(undefined), (c) => `Created the CA ${c.serial}`)}>
            {busy === 'createCa' ? 'Creating…' : 'Create CA'}
          </button>
        </div>
      ) : (
        <div className="ca-current">
          <p>
            <strong>{ca.subject_cn}</strong> · serial <code>{ca.serial}</code> · valid until {formatDateTime(ca.not_after)}
          </p>
          <button type="button" disabled={busy !== null} onClick={() => setConfirming(true)}>
            {busy === 'rotateCa' ? 'Rotating…' : 'Rotate CA…'}
          </button>
        </div>
      )}
      {shown !== null && <ErrorState title="The CA could not be changed" error={shown} />}
      {confirming && ca !== undefined && (
        <ConfirmDialog
          title="Rotate the CA?"
          confirmLabel="Rotate CA"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void run('rotateCa', () => window.mesh.certsRotateCa(undefined), (r) => `Rotated the CA: ${r.current.serial} replaces ${r.previous.serial}`);
          }}
        >
          <p>A new CA signs every certificate issued from now on. The old one ({ca.serial}) stays trusted for client certificates until it expires; clients that trust only the old CA must trust the new one too (see the trust instructions).</p>
        </ConfirmDialog>
      )}
    </Section>
  );
}
