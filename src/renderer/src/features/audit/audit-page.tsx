// The Audit page: the trail live (new events on top within a second), filters, a virtualized table, one event in full, chain verification and export.
import { useEffect, useRef } from 'react';
import '../../styles/audit.css';
import { Empty, ErrorState, Loading } from '../../components/status';
import { PageHeading } from '../../shell/page-heading';
import { AuditTable } from './audit-table';
import { ChainBadge } from './chain-badge';
import { DetailDrawer } from './detail-drawer';
import { ExportBar } from './export-bar';
import { isFiltered } from './filter';
import { FilterBar } from './filter-bar';
import { useAuditStore } from './store';

function LiveStatus(): React.JSX.Element {
  const live = useAuditStore((s) => s.live);
  const received = useAuditStore((s) => s.received);
  const count = useAuditStore((s) => s.rows.length);
  const restart = useAuditStore((s) => s.start);
  if (live.status === 'stopped') {
    return (
      <div className="audit-live stopped" role="alert">
        <span className="badge badge-bad">Live updates stopped</span> {live.error.message}{' '}
        <button type="button" onClick={() => void restart()}>
          Reconnect
        </button>
      </div>
    );
  }
  return (
    <p className="audit-live" data-testid="audit-live">
      <span className={live.status === 'live' ? 'badge badge-ok' : 'badge badge-neutral'}>{live.status === 'live' ? '● Live' : 'Connecting…'}</span> {count.toLocaleString()} events shown
      {received > 0 ? `, ${received.toLocaleString()} arrived since opened` : ''}
    </p>
  );
}

function Rows(): React.JSX.Element {
  const history = useAuditStore((s) => s.history);
  const count = useAuditStore((s) => s.rows.length);
  const filtered = useAuditStore((s) => isFiltered(s.filter));
  const loadingOlder = useAuditStore((s) => s.loadingOlder);
  const olderError = useAuditStore((s) => s.olderError);
  const start = useAuditStore((s) => s.start);
  const loadOlder = useAuditStore((s) => s.loadOlder);
  const tableRef = useRef<HTMLDivElement>(null);

  if (history.status === 'idle' || history.status === 'loading') return <Loading label="Loading the audit trail…" />;
  if (history.status === 'error') return <ErrorState title="The audit trail could not be loaded" error={history.error} onRetry={() => void start()} />;
  return (
    <div className="audit-main">
      <div className="audit-table-col" ref={tableRef}>
        {count === 0 ? <Empty>{filtered ? 'No events match these filters (new ones will appear here as they happen).' : 'No events yet. They appear here as they happen.'}</Empty> : <AuditTable label="Audit events, newest first" />}
        {loadingOlder && <p className="muted">Loading older events…</p>}
        {olderError !== null && <ErrorState title="Older events could not be loaded" error={olderError} onRetry={() => void loadOlder()} />}
      </div>
      <DetailDrawer onClosed={() => tableRef.current?.querySelector<HTMLElement>('[role="grid"]')?.focus()} />
    </div>
  );
}

export function AuditPage(): React.JSX.Element {
  const start = useAuditStore((s) => s.start);
  const stop = useAuditStore((s) => s.stop);
  useEffect(() => {
    void start();
    return stop;
  }, [start, stop]);
  return (
    <div className="audit-page">
      <div className="page-title">
        <PageHeading>Audit</PageHeading>
        <ChainBadge />
      </div>
      <FilterBar />
      <LiveStatus />
      <Rows />
      <ExportBar />
    </div>
  );
}
