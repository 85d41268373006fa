// The "Connect an agent" page: pick a client and a role, get a scoped key (shown once) and the client's exact setup.
import { useEffect } from 'react';
import { ErrorState } from '../../components/status';
import { PageHeading } from '../../shell/page-heading';
import { ConnectFormView } from './connect-form';
import { SetupView } from './setup-view';
import { useConnectStore } from './store';
import '../../styles/connect.css';

export function ConnectPage(): React.JSX.Element {
  const setup = useConnectStore((s) => s.setup);
  const loadRoles = useConnectStore((s) => s.loadRoles);
  const forgetKey = useConnectStore((s) => s.forgetKey);
  useEffect(() => {
    void loadRoles();
    // Leaving the page forgets a key not yet hidden: a raw key is shown once, not every time the page is opened.
    return () => forgetKey();
  }, [loadRoles, forgetKey]);

  return (
    <>
      <div className="page-title">
        <PageHeading>Connect an agent</PageHeading>
        <p className="muted">A key scoped to one client and role, and the exact configuration for that client. An active key with the same name is reused, never shown again.</p>
      </div>
      <ConnectFormView />
      {setup.status === 'error' && <ErrorState title="The client could not be set up" error={setup.error} />}
      {setup.status === 'ready' && <SetupView setup={setup.value} />}
    </>
  );
}
