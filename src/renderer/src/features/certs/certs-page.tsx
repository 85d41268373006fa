// The Certificates page: the CA, issuing, the list with statuses, one certificate's details and actions, and trust instructions.
import { useEffect } from 'react';
import { PageHeading } from '../../shell/page-heading';
import { AsyncView } from '../../components/status';
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
      <AsyncView value={list} loading="Loading certificates…" errorTitle="The certificates could not be loaded" onRetry={() => void load()}>
        {(value) => (
          <div className="certs-grid">
            <CaSection ca={certificateOf(value, value.current_ca)} />
            {value.current_ca !== null && (
              <>
                <CertTable certificates={value.certificates} />
                {certificateOf(value, selected) !== undefined && <CertDetails cert={certificateOf(value, selected) as NonNullable<ReturnType<typeof certificateOf>>} />}
                <div className="issue-forms">
                  <IssueServerForm />
                  <IssueClientForm />
                </div>
                <TrustSection />
              </>
            )}
          </div>
        )}
      </AsyncView>
    </>
  );
}
