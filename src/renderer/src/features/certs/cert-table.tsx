// Every certificate of the tenant: kind, subject, status (colour and text), validity and what it serves; a row's name opens its details.
import type { Certificate } from '../../../../shared/ipc/contracts/certs';
import { Section } from '../../components/section';
import { Empty } from '../../components/status';
import { formatDateTime } from '../../lib/format';
import { StatusBadge } from './status-badge';
import { useCertsStore } from './store';

function kindLabel(c: Certificate): string {
  if (c.kind === 'ca') return c.is_current_ca ? 'CA (current)' : 'CA';
  return c.kind;
}

export function CertTable({ certificates }: { certificates: Certificate[] }): React.JSX.Element {
  const selected = useCertsStore((s) => s.selected);
  const select = useCertsStore((s) => s.select);
  return (
    <Section title="Certificates">
      {certificates.length === 0 ? (
        <Empty>No certificates yet.</Empty>
      ) : (
        <div className="table-scroll">
          <table data-testid="cert-table">
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">Valid until</th>
                <th scope="col">Serving</th>
                <th scope="col">Serial</th>
              </tr>
            </thead>
            <tbody>
              {certificates.map((c) => (
                <tr key={c.serial} data-serial={c.serial} className={c.serial === selected ? 'row-selected' : undefined} aria-current={c.serial === selected ? 'true' : undefined}>
                  <td>
                    <button type="button" className="link" onClick={() => select(c.serial)} aria-label={`Details of ${c.subject_cn} (${c.serial})`}>
                      {c.subject_cn}
                    </button>
                  </td>
                  <td>{kindLabel(c)}</td>
                  <td>
                    <StatusBadge status={c.status} />
                  </td>
                  <td>{formatDateTime(c.not_after)}</td>
                  <td>{c.serving.length === 0 ? '' : <span className="badge badge-serving">Serving {c.serving.join(' + ')}</span>}</td>
                  <td>
                    <code>{c.serial}</code>
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
