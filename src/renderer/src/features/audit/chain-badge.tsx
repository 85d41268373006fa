// The hash chain's state on the Audit page: verified (how many events, when), broken (where and why), or not yet checked — with "Verify now".
import { ErrorState } from '../../components/status';
import { formatTime } from '../../lib/format';
import { useAuditStore } from './store';

export function ChainBadge(): React.JSX.Element {
  const verify = useAuditStore((s) => s.verify);
  const verifyNow = useAuditStore((s) => s.verifyNow);
  const running = verify.status === 'loading';
  let badge: React.JSX.Element;
  if (verify.status === 'ready' && verify.value.ok) {
    badge = (
      <>
        <span className="badge badge-ok">Chain verified</span> {verify.value.checked.toLocaleString()} events at {formatTime(verify.value.verified_at)}
      </>
    );
  } else if (verify.status === 'ready') {
    badge = (
      <>
        <span className="badge badge-bad">Chain broken</span> at event {verify.value.first_bad_seq ?? '?'}: {verify.value.reason ?? 'unknown reason'}
      </>
    );
  } else {
    badge = <span className="badge badge-neutral">{running ? 'Verifying…' : 'Not verified yet'}</span>;
  }
  return (
    <div className="audit-chain" data-testid="audit-chain">
      <p aria-live="polite">{badge}</p>
      <button type="button" onClick={() => void verifyNow()} disabled={running}>
        {running ? 'Verifying…' : 'Verify now'}
      </button>
      {verify.status === 'error' && <ErrorState title="Verification could not run" error={verify.error} onRetry={() => void verifyNow()} />}
    </div>
  );
}
