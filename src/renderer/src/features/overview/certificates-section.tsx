// Certificates that have ended or end within 30 days, soonest first, with what they serve.
import type { CertificateWarning } from '../../../../shared/ipc/contracts/overview';
import { Section } from '../../components/section';
import { Empty } from '../../components/status';
import { formatDateTime, formatRelativeSeconds } from '../../lib/format';

function role(w: CertificateWarning): string {
  const parts = [w.kind];
  if (w.is_current_ca) parts.push('current CA');
  if (w.serving.length > 0) parts.push(`serving ${w.serving.join(' and ')}`);
  return parts.join(', ');
}

export function CertificatesSection({ warnings }: { warnings: CertificateWarning[] }): React.JSX.Element {
  return (
    <Section title="Certificate expiry" className="span-2">
      {warnings.length === 0 ? (
        <Empty>No certificate has ended or ends within 30 days.</Empty>
      ) : (
        <ul className="warnings" data-testid="certificate-warnings">
          {warnings.map((w) => (
            <li key={w.serial} className={w.expired ? 'warning warning-bad' : 'warning'}>
              <span className={w.expired ? 'badge badge-bad' : 'badge badge-warn'}>{w.expired ? 'Expired' : 'Expiring'}</span> <strong>{w.subject_cn}</strong> ({role(w)}) ends {formatRelativeSeconds(w.seconds_left)} — {formatDateTime(w.not_after)} · serial <code>{w.serial}</code>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
