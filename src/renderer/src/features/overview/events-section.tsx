// A short table of recent audit events (denials, or rate-limit hits), newest first; each opens in the Audit page with the subject's other events.
import type { AuditEntry } from '../../../../shared/ipc/contracts/overview';
import { Section } from '../../components/section';
import { Empty } from '../../components/status';
import { formatDateTime } from '../../lib/format';
import { showInAudit } from '../audit/store';

export function EventsSection({ title, events, empty }: { title: string; events: AuditEntry[]; empty: string }): React.JSX.Element {
  return (
    <Section title={title} className="span-2">
      {events.length === 0 ? (
        <Empty>{empty}</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Subject</th>
                <th scope="col">Action</th>
                <th scope="col">Resource</th>
                <th scope="col">From</th>
                <th scope="col">
                  <span className="offscreen">Audit trail</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.seq}>
                  <td>{formatDateTime(e.timestamp)}</td>
                  <td>{e.event_type}</td>
                  <td>
                    <code>{e.subject}</code>
                  </td>
                  <td>{e.action}</td>
                  <td>
                    <code>{e.resource}</code>
                    {e.error !== null && <span className="muted"> — {e.error}</span>}
                  </td>
                  <td>{e.ip ?? '—'}</td>
                  <td>
                    <button type="button" className="link-button" onClick={() => showInAudit({ subject: e.subject }, e.seq)} aria-label={`Show event ${e.seq} and ${e.subject}'s other events in Audit`}>
                      In Audit
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
