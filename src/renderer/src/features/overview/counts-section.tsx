// How much the mesh holds: users, active keys, contexts, roles, certificates, audit events.
import type { Overview } from '../../../../shared/ipc/contracts/overview';
import { Section } from '../../components/section';

const LABELS: [keyof Overview['counts'], string][] = [
  ['users', 'Users'],
  ['api_keys', 'Active API keys'],
  ['contexts', 'Contexts'],
  ['roles', 'Roles'],
  ['certificates', 'Certificates'],
  ['audit_events', 'Audit events'],
];

export function CountsSection({ counts }: { counts: Overview['counts'] }): React.JSX.Element {
  return (
    <Section title="Counts">
      <dl className="counts">
        {LABELS.map(([key, label]) => (
          <div key={key} className="count">
            <dt>{label}</dt>
            <dd data-testid={`count-${key}`}>{counts[key].toLocaleString()}</dd>
          </div>
        ))}
      </dl>
    </Section>
  );
}
