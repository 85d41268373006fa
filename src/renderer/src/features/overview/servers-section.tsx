// Both servers: where they listen, whether they serve TLS (with which certificate, until when), and the sessions they hold.
import type { Overview, ServerStatus } from '../../../../shared/ipc/contracts/overview';
import { Section } from '../../components/section';
import { formatDateTime } from '../../lib/format';

const NAMES = { mcp: 'MCP server', api: 'REST API' } as const;

function Tls({ tls }: { tls: ServerStatus['tls'] }): React.JSX.Element {
  if (tls === null) return <span className="badge badge-neutral">TLS off (plain HTTP)</span>;
  return (
    <span>
      <span className="badge badge-ok">TLS on</span> certificate <code>{tls.certificate_serial}</code>, expires {formatDateTime(tls.not_after)} · {tls.source === 'mesh' ? 'mesh CA' : 'file'} · min {tls.min_version} · client certificates {tls.client_auth}
    </span>
  );
}

export function ServersSection({ overview }: { overview: Overview }): React.JSX.Element {
  const { sessions } = overview;
  const sessionLine = { mcp: `${sessions.mcp_http} Streamable HTTP · ${sessions.mcp_ws} WebSocket`, api: `${sessions.refresh_families} signed-in (refresh-token families)` } as const;
  return (
    <Section title="Servers" className="span-2">
      <ul className="servers">
        {overview.servers.map((server) => (
          <li key={server.name} className="server">
            <h3>{NAMES[server.name]}</h3>
            <dl className="pairs">
              <dt>URL</dt>
              <dd>
                <code data-testid={`url-${server.name}`}>{server.url}</code>
              </dd>
              <dt>TLS</dt>
              <dd>
                <Tls tls={server.tls} />
              </dd>
              <dt>Sessions</dt>
              <dd>{sessionLine[server.name]}</dd>
            </dl>
          </li>
        ))}
      </ul>
    </Section>
  );
}
