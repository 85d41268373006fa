// How to make machines, browsers and Node-based clients trust the mesh CA: the CA certificate to save (main writes it where the operator chooses) and the per-OS commands.
import { useState } from 'react';
import type { TrustHelp } from '../../../../shared/ipc/contracts/certs';
import { CopyButton } from '../../components/copy-button';
import { Section } from '../../components/section';
import { FormError } from './issue-forms';
import { useCertsStore } from './store';

export function TrustSection(): React.JSX.Element {
  const run = useCertsStore((s) => s.run);
  const busy = useCertsStore((s) => s.busy);
  const [help, setHelp] = useState<TrustHelp | null>(null);
  return (
    <Section
      title="Trust instructions"
      actions={
        <button type="button" disabled={busy !== null} onClick={() => void run('trust', () => window.mesh.certsTrustHelp()).then((value) => value !== undefined && setHelp(value))}>
          {help === null ? 'Show trust instructions' : 'Refresh'}
        </button>
      }
    >
      <FormError action="trust" />
      <FormError action="saveCa" />
      {help !== null && (
        <>
          <div className="secret-row">
            <button type="button" disabled={busy !== null} onClick={() => void run('saveCa', () => window.mesh.certsSaveCa(), (outcome) => (outcome.saved ? `Saved to ${outcome.path}` : null))}>
              Save CA certificate ({help.filename})…
            </button>
            <CopyButton text={help.text} label="Copy instructions" />
          </div>
          <pre className="snippet" data-testid="trust-help">
            <code>{help.text}</code>
          </pre>
        </>
      )}
    </Section>
  );
}
