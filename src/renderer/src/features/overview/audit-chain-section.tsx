// The audit chain: the last verification anyone ran, and "Verify now" (checked off the main process's event loop for big trails).
import type { LastVerification } from '../../../../shared/ipc/contracts/overview';
import { Section } from '../../components/section';
import { ErrorState } from '../../components/status';
import { formatDateTime } from '../../lib/format';
import { useOverviewStore } from './store';

function Verdict({ ok, text }: { ok: boolean; text: string }): React.JSX.Element {
  return (
    <p>
      <span className={ok ? 'badge badge-ok' : 'badge badge-bad'}>{ok ? 'OK' : 'BROKEN'}</span> {text}
    </p>
  );
}

function Last({ last }: { last: LastVerification | null }): React.JSX.Element {
  if (last === null) return <p className="muted">The chain has not been verified yet.</p>;
  const checked = last.checked === null ? '' : `, ${last.checked.toLocaleString()} events`;
  const broken = last.ok ? '' : ` — first bad event ${last.first_bad_seq ?? '?'}${last.error === null ? '' : `: ${last.error}`}`;
  return <Verdict ok={last.ok} text={`Last verified ${formatDateTime(last.at)} by ${last.subject}${checked}${broken}`} />;
}

export function AuditChainSection({ last }: { last: LastVerification | null }): React.JSX.Element {
  const verify = useOverviewStore((s) => s.verify);
  const verifyNow = useOverviewStore((s) => s.verifyNow);
  const running = verify.status === 'loading';
  return (
    <Section
      title="Audit chain"
      actions={
        <button type="button" onClick={() => void verifyNow()} disabled={running}>
          {running ? 'Verifying…' : 'Verify now'}
        </button>
      }
    >
      <div aria-live="polite" data-testid="audit-chain">
        {verify.status === 'ready' ? (
          <Verdict
            ok={verify.value.ok}
            text={
              verify.value.ok
                ? `Chain verified: ${verify.value.checked.toLocaleString()} events checked in ${verify.value.duration_ms} ms${verify.value.checkpoint === 'valid' ? ', signed checkpoint valid' : ''}.`
                : `Chain broken at event ${verify.value.first_bad_seq ?? '?'}: ${verify.value.reason ?? 'unknown reason'}`
            }
          />
        ) : (
          <Last last={last} />
        )}
        {verify.status === 'error' && <ErrorState title="Verification could not run" error={verify.error} onRetry={() => void verifyNow()} />}
      </div>
    </Section>
  );
}
