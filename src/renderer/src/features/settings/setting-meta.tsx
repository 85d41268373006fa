// Under a setting: where its value comes from (environment variable or console), what the servers run with and what waits for a restart, and "Reset to environment".
import type { SettingName, SettingsView } from '../../../../shared/ipc/contracts/settings';
import { formatValue } from './fields';

export function SettingMeta({ name, view, startup, busy, onReset }: { name: SettingName; view: SettingsView; startup: boolean; busy: boolean; onReset: () => void }): React.JSX.Element {
  const variable = view.variables[name];
  const fromConsole = view.overridden.includes(name);
  const running = startup ? (view.running as Partial<Record<SettingName, unknown>>)[name] : undefined;
  const pending = view.restart_pending.includes(name);
  return (
    <div className="setting-meta">
      {fromConsole ? <span className="badge badge-neutral">set in the console</span> : <span className="badge badge-neutral">{variable === undefined ? 'default' : `from ${variable}`}</span>}
      {startup && (
        <span className="setting-running">
          Running: <code>{formatValue(running)}</code>
        </span>
      )}
      {pending && (
        <span className="badge badge-warn" data-testid={`pending-${name}`}>
          restart to apply: {formatValue(view.values[name])}
        </span>
      )}
      {fromConsole && (
        <button type="button" className="link-button" disabled={busy} onClick={onReset}>
          Reset to environment ({variable === undefined ? formatValue(view.environment[name]) : `${variable}=${formatValue(view.environment[name])}`})
        </button>
      )}
    </div>
  );
}
