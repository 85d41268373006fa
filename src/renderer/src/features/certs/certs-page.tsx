// The Certificates page: the CA, issuing, the list with statuses, one certificate's details and actions, and trust instructions.
import { useEffect } from 'react';
import { PageHeading } from '../../shell/page-heading';
import { ErrorState, Loading } from '../../components/status';
import { CaSection } from './ca-section';
import { CertDetails } from './cert-details';
import { CertTable } from './cert-table';
import { IssueClientForm, IssueServerForm } from './issue-forms';
import { certificateOf, useCertsStore } from './store';
import { TrustSection } from './trust-section';
import '../../styles/connect.css';
import '../../styles/certs.css';

export function CertsPage(): React.JSX.Element {
  const list = useCertsStore((s) => s.list);
  const selected = useCertsStore((s) => s.selected);
  const notice = useCertsStore((s) => s.notice);
  const load = useCertsStore((s) => s.load);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <>
      <div className="page-title">
        <PageHeading>Certificates</PageHeading>
        <p className="muted">The mesh's own certificate authority: server certificates for HTTPS, client certificates for mTLS.</p>
      </div>
      <p role="status" className="cert-notice">
        {notice ?? ''}
      </p>
      {(list.status === 'idle' || list.status === 'loading') && <Loading label="Loading certificates…" />}
      {list.status === 'error' && <ErrorState title="The certificates could not be loaded" error={list.error} onRetry={() => void load()} />}
      {list.status === 'ready' && (
        <div className="certs-grid">
          <CaSection ca={certificateOf(list.value, list.value.current_ca)} />
          {list.value.current_ca !== null && (
            <>
              <CertTable certificates={list.value.certificates} />
              {certificateOf(list.value, selected) !== undefined && <CertDetails cert={certificateOf(list.value, selected) as NonNullable<ReturnType<typeof certificateOf>>} />}
              <div className="issue-forms">
                <IssueServerForm />
                <IssueClientForm />
              </div>
              <TrustSection />
            </>
          )}
        </div>
      )}
    </>
  );
}
