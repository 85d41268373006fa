// A certificate's status as colour and text (never colour alone).
import type { Certificate } from '../../../../shared/ipc/contracts/certs';

const LOOK: Record<Certificate['status'], { className: string; label: string }> = {
  valid: { className: 'badge badge-ok', label: 'Valid' },
  expiring: { className: 'badge badge-warn', label: 'Expiring' },
  expired: { className: 'badge badge-bad', label: 'Expired' },
  revoked: { className: 'badge badge-neutral badge-revoked', label: 'Revoked' },
};

export function StatusBadge({ status }: { status: Certificate['status'] }): React.JSX.Element {
  const look = LOOK[status];
  return <span className={look.className}>{look.label}</span>;
}
