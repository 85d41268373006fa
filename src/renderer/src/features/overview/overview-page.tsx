// The Overview page: is the mesh healthy, who is connected, and what was refused lately.
import { useEffect } from 'react';
import { AsyncView } from '../../components/status';
import { formatTime } from '../../lib/format';
import { PageHeading } from '../../shell/page-heading';
import { AuditChainSection } from './audit-chain-section';
import { CertificatesSection } from './certificates-section';
import { CountsSection } from './counts-section';
import { EventsSection } from './events-section';
import { MeshSection } from './mesh-section';
import { ServersSection } from './servers-section';
import { useOverviewStore } from './store';
import '../../styles/overview.css';

/** Performance mark set the first time the Overview's data is on screen (navigation start -> data visible). */
export const OVERVIEW_VISIBLE_MARK = 'overview-data-visible';

export function OverviewPage(): React.JSX.Element {
  const data = useOverviewStore((s) => s.data);
  const load = useOverviewStore((s) => s.load);
  useEffect(() => {
    void load();
  }, [load]);
  const ready = data.status === 'ready';
  useEffect(() => {
    if (ready && performance.getEntriesByName(OVERVIEW_VISIBLE_MARK).length === 0) performance.mark(OVERVIEW_VISIBLE_MARK);
  }, [ready]);

  return (
    <>
      <div className="page-title">
        <PageHeading>Overview</PageHeading>
        {data.status === 'ready' && (
          <p className="muted">
            Updated {formatTime(data.value.overview.generated_at)}{' '}
            <button type="button" onClick={() => void load()}>
              Refresh
            </button>
          </p>
        )}
      </div>
      <AsyncView value={data} loading="Loading the overview…" errorTitle="The overview could not be loaded" onRetry={() => void load()}>
        {(value) => (
          <div className="overview-grid" data-testid="overview">
            <ServersSection overview={value.overview} />
            <CountsSection counts={value.overview.counts} />
            <AuditChainSection last={value.overview.last_verification} />
            <CertificatesSection warnings={value.overview.certificate_warnings} />
            <EventsSection title="Recent denials" events={value.overview.recent_denials} empty="No denials recorded." />
            <EventsSection title="Rate-limit and blocklist hits" events={value.overview.rate_limit_hits} empty="No requests were rate limited or blocked." />
            <MeshSection status={value.status} />
          </div>
        )}
      </AsyncView>
    </>
  );
}
