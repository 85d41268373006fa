// The "Keys & identities" page: API keys, users, the JWT signing key and the lockdown danger zone.
import { useEffect } from 'react';
import { PageHeading } from '../../shell/page-heading';
import { ApiKeysSection } from './api-keys-section';
import { JwtSection, LockdownSection, MasterKeySection } from './security-section';
import { useKeysStore } from './store';
import { UsersSection } from './users-section';
import '../../styles/connect.css';
import '../../styles/keys.css';

export function KeysPage(): React.JSX.Element {
  const load = useKeysStore((s) => s.load);
  const reset = useKeysStore((s) => s.reset);
  useEffect(() => {
    void load();
    // Leaving the page forgets a raw key not yet hidden: it is shown once, not every time the page is opened.
    return () => reset();
  }, [load, reset]);
  return (
    <>
      <div className="page-title">
        <PageHeading>Keys &amp; identities</PageHeading>
        <p className="muted">Every change here is authorized and audited as the console operator, like the same change from the REST API or the CLI.</p>
      </div>
      <div className="keys-page" data-testid="keys-page">
        <ApiKeysSection />
        <UsersSection />
        <JwtSection />
        <MasterKeySection />
        <LockdownSection />
      </div>
    </>
  );
}
