// One event in full beside the table: its fields and the stored line (what the hash chain covers) as raw JSON, with copy; Escape or Close returns to the table.
import { useEffect, useId, useRef } from 'react';
import { CopyButton } from '../../components/copy-button';
import { AsyncView } from '../../components/status';
import { formatStamp } from './stamp';
import { useAuditStore } from './store';

function pretty(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

export function DetailDrawer({ onClosed }: { onClosed: () => void }): React.JSX.Element | null {
  const selected = useAuditStore((s) => s.selected);
  const detail = useAuditStore((s) => s.detail);
  const open = useAuditStore((s) => s.open);
  const close = useAuditStore((s) => s.close);
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (selected !== null) headingRef.current?.focus();
  }, [selected]);

  if (selected === null) return null;
  const dismiss = (): void => {
    close();
    onClosed();
  };
  return (
    <aside
      className="audit-drawer"
      aria-labelledby={headingId}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          dismiss();
        }
      }}
      data-testid="audit-detail"
    >
      <header className="card-header">
        <h2 id={headingId} ref={headingRef} tabIndex={-1}>
          Event {selected.toLocaleString()}
        </h2>
        <button type="button" onClick={dismiss}>
          Close
        </button>
      </header>
      <AsyncView value={detail} loading="Loading the event…" errorTitle="The event could not be loaded" onRetry={() => void open(selected)}>
        {({ event, raw }) => (
          <>
            <dl className="audit-fields">
              <dt>Time</dt>
              <dd className="mono">{formatStamp(event.timestamp)}</dd>
              <dt>Type</dt>
              <dd>{event.event_type}</dd>
              <dt>Subject</dt>
              <dd>{event.subject}</dd>
              <dt>Action</dt>
              <dd>{event.action}</dd>
              <dt>Resource</dt>
              <dd>{event.resource}</dd>
              <dt>Result</dt>
              <dd>{event.result}</dd>
              {event.error !== null && (
                <>
                  <dt>Error</dt>
                  <dd>{event.error}</dd>
                </>
              )}
              {event.trace_id !== null && (
                <>
                  <dt>Trace id</dt>
                  <dd className="mono">{event.trace_id}</dd>
                </>
              )}
              {event.ip !== null && (
                <>
                  <dt>Address</dt>
                  <dd className="mono">{event.ip}</dd>
                </>
              )}
              <dt>Hash</dt>
              <dd className="mono hash">{event.hash}</dd>
            </dl>
            <div className="card-header">
              <h3>Raw JSON (the stored line)</h3>
              <CopyButton text={raw} label="Copy JSON" />
            </div>
            <pre className="audit-raw" data-testid="audit-raw" tabIndex={0}>
              {pretty(raw)}
            </pre>
          </>
        )}
      </AsyncView>
    </aside>
  );
}
