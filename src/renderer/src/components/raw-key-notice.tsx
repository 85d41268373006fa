// A new API key's raw value, shown once: the warning, the key with copy, and the button that hides it for good.
import { CopyButton } from './copy-button';

export function RawKeyNotice({ apiKey, onHide, children }: { apiKey: string; onHide: () => void; children: React.ReactNode }): React.JSX.Element {
  return (
    <div className="notice notice-warn" role="alert" data-testid="new-key">
      <p className="state-title">Copy this key now: it is shown only this once.</p>
      <p>{children}</p>
      <p className="secret-row">
        <code className="secret" data-testid="api-key">
          {apiKey}
        </code>
        <CopyButton text={apiKey} label="Copy key" />
      </p>
      <button type="button" onClick={onHide}>
        I have stored it — hide the key
      </button>
    </div>
  );
}
