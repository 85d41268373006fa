// What became of the key: the raw key once (with copy and a warning), stored in the OS keychain, or reused (never shown again).
import type { ConnectSetup } from '../../../../shared/ipc/contracts/connect';
import { API_KEY_ENV } from '../../../../shared/mcp-clients';
import { RawKeyNotice } from '../../components/raw-key-notice';
import { useConnectStore } from './store';

function describe(setup: ConnectSetup): string {
  return `${setup.key_id} "${setup.key_name}" (role ${setup.role})`;
}

export function KeyNotice({ setup }: { setup: ConnectSetup }): React.JSX.Element {
  const forgetKey = useConnectStore((s) => s.forgetKey);
  if (setup.api_key !== undefined) {
    return (
      <RawKeyNotice apiKey={setup.api_key} onHide={forgetKey}>
        Created API key {describe(setup)}. The mesh keeps only a hash of it; once you hide it or leave this page nobody can show it again.
        {setup.keychain_problem !== undefined && ` It could not go into the OS keychain (${setup.keychain_problem}).`} Give it to the client as <code>{API_KEY_ENV}</code>, as the steps below say.
      </RawKeyNotice>
    );
  }
  if (setup.key_created) {
    return (
      <p className="notice notice-ok" role="status">
        Created API key {describe(setup)} and stored it in the OS keychain for <code>devmesh mcp-bridge</code>; it is not shown.
      </p>
    );
  }
  return (
    <p className="notice" role="status" data-testid="reused-key">
      Reusing API key {describe(setup)}. Its value was shown only when it was created{setup.client === 'claude-desktop' ? (setup.key_in_keychain ? '; the OS keychain holds it for the bridge' : `; the OS keychain does not hold it, so set ${API_KEY_ENV} for the bridge`) : ''}. For a fresh key,
      revoke it (<code>devmesh keys revoke {setup.key_id}</code>) and set up the client again.
    </p>
  );
}
