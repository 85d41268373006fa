// The Settings page: network and TLS (used from the next start), CORS origins, rate limits and audit retention (applied at once) — each section saved on its own, validated and audited.
import { useEffect } from 'react';
import type { SettingsView } from '../../../../shared/ipc/contracts/settings';
import { AsyncView } from '../../components/status';
import { PageHeading } from '../../shell/page-heading';
import { CORS_FIELDS, NETWORK_FIELDS, RATE_LIMIT_FIELDS, RETENTION_FIELDS, tlsFields, type FieldSpec } from './fields';
import { SettingsForm } from './settings-form';
import { useSettingsStore } from './store';
import '../../styles/connect.css';
import '../../styles/settings.css';

/** Remounts a section's form (fresh drafts) when its saved values change, and only then. */
function keyOf(view: SettingsView, fields: FieldSpec[]): string {
  return JSON.stringify(fields.map((f) => view.values[f.key]));
}

function TlsNotice({ server, view }: { server: 'api' | 'mcp'; view: SettingsView }): React.JSX.Element {
  const prefix = server.toUpperCase();
  return view.certificates[server] ? (
    <p className="muted">A certificate is available for this server; HTTPS can be turned on.</p>
  ) : (
    <p className="notice notice-warn" data-testid={`no-cert-${server}`}>
      This server has no certificate yet: choose one on the Certificates page (or set {prefix}_TLS_CERT_FILE and {prefix}_TLS_KEY_FILE) before turning HTTPS on.
    </p>
  );
}

function Sections({ view }: { view: SettingsView }): React.JSX.Element {
  const api = tlsFields('api');
  const mcp = tlsFields('mcp');
  return (
    <div className="settings-page" data-testid="settings-page">
      <SettingsForm key={`network-${keyOf(view, NETWORK_FIELDS)}`} id="network" title="Network" saveLabel="Save network settings" fields={NETWORK_FIELDS} view={view} startup>
        <p className="muted">Used by the servers from their next start; until then they keep running with the values shown as running.</p>
      </SettingsForm>
      <SettingsForm key={`tls-api-${keyOf(view, api)}`} id="tls-api" title="TLS — REST API server" saveLabel="Save REST API TLS settings" fields={api} view={view} startup>
        <TlsNotice server="api" view={view} />
      </SettingsForm>
      <SettingsForm key={`tls-mcp-${keyOf(view, mcp)}`} id="tls-mcp" title="TLS — MCP server" saveLabel="Save MCP TLS settings" fields={mcp} view={view} startup>
        <TlsNotice server="mcp" view={view} />
      </SettingsForm>
      <SettingsForm key={`cors-${keyOf(view, CORS_FIELDS)}`} id="cors" title="CORS origins" saveLabel="Save CORS origins" fields={CORS_FIELDS} view={view}>
        <p className="muted">Exact browser origins (scheme://host[:port]) allowed to call both servers; applied to the very next request. &quot;*&quot; is never accepted.</p>
      </SettingsForm>
      <SettingsForm key={`rate-${keyOf(view, RATE_LIMIT_FIELDS)}`} id="rate-limits" title="Rate limits" saveLabel="Save rate limits" fields={RATE_LIMIT_FIELDS} view={view}>
        <p className="muted">Token buckets per client address (before authentication) and per credential; applied to the next request.</p>
      </SettingsForm>
      <SettingsForm key={`retention-${keyOf(view, RETENTION_FIELDS)}`} id="retention" title="Audit retention" saveLabel="Save audit retention" fields={RETENTION_FIELDS} view={view}>
        <p className="muted">Read by the pruning job at each run: a new value applies from the next run, without a restart.</p>
      </SettingsForm>
    </div>
  );
}

export function SettingsPage(): React.JSX.Element {
  const view = useSettingsStore((s) => s.view);
  const load = useSettingsStore((s) => s.load);
  const clear = useSettingsStore((s) => s.clear);
  useEffect(() => {
    void load();
    return () => clear();
  }, [load, clear]);
  return (
    <>
      <div className="page-title">
        <PageHeading>Settings</PageHeading>
        <p className="muted">Values set here win over the environment (.env and variables). Every change is validated as a whole, authorized and audited as the console operator, like PATCH /api/v1/settings.</p>
      </div>
      <AsyncView value={view} loading="Loading settings…" errorTitle="The settings could not be loaded" onRetry={() => void load()}>
        {(value) => <Sections view={value} />}
      </AsyncView>
    </>
  );
}
