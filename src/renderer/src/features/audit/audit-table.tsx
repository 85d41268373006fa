// The audit table: only the rows in view are in the DOM (virtualized, fixed row height), so 100,000 rows scroll like 100; arrow keys move, Enter opens, a scrolled view stays still while new events arrive on top.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { AuditRow } from '../../../../shared/ipc/contracts/audit';
import { PREFETCH_ROWS, useAuditStore } from './store';
import { formatStamp } from './stamp';

const ROW_HEIGHT = 30;
const HEADER_HEIGHT = 32;
const COLUMNS = ['Time', 'Type', 'Subject', 'Action', 'Resource', 'Result'] as const;
const RESULT_BADGE = { success: 'badge badge-ok', failure: 'badge badge-warn', denied: 'badge badge-bad' } as const;

const rowId = (seq: number): string => `audit-row-${seq}`;

function Cells({ row }: { row: AuditRow }): React.JSX.Element {
  return (
    <>
      <span role="gridcell" className="mono">
        {formatStamp(row.timestamp)}
      </span>
      <span role="gridcell">{row.event_type}</span>
      <span role="gridcell" title={row.subject}>
        {row.subject}
      </span>
      <span role="gridcell">{row.action}</span>
      <span role="gridcell" title={row.error === null ? row.resource : `${row.resource} — ${row.error}`}>
        {row.resource}
      </span>
      <span role="gridcell">
        <span className={RESULT_BADGE[row.result]}>{row.result}</span>
      </span>
    </>
  );
}

export function AuditTable({ label }: { label: string }): React.JSX.Element {
  const rows = useAuditStore((s) => s.rows);
  const version = useAuditStore((s) => s.version);
  const addedOnTop = useAuditStore((s) => s.addedOnTop);
  const selected = useAuditStore((s) => s.selected);
  const open = useAuditStore((s) => s.open);
  const loadOlder = useAuditStore((s) => s.loadOlder);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const [unseen, setUnseen] = useState(0);
  const count = rows.length;

  const virtualizer = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 10, scrollMargin: HEADER_HEIGHT });

  // New rows on top: a view scrolled into the past stays on the same events (and says how many arrived); one at the top follows the stream.
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (element === null || addedOnTop === 0) return;
    setActive((a) => Math.min(a + addedOnTop, Math.max(0, count - 1)));
    if (element.scrollTop > 0) {
      element.scrollTop += addedOnTop * ROW_HEIGHT;
      setUnseen((n) => n + addedOnTop);
    }
  }, [version, addedOnTop, count]);

  const items = virtualizer.getVirtualItems();
  const last = items.length === 0 ? -1 : (items[items.length - 1]?.index ?? -1);
  useEffect(() => {
    if (count > 0 && last >= count - PREFETCH_ROWS) void loadOlder();
  }, [last, count, loadOlder]);

  const move = (index: number): void => {
    if (count === 0) return;
    const next = Math.max(0, Math.min(count - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLDivElement>): void => {
    const page = Math.max(1, Math.floor(((scrollRef.current?.clientHeight ?? ROW_HEIGHT * 10) - HEADER_HEIGHT) / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active + 1),
      ArrowUp: () => move(active - 1),
      PageDown: () => move(active + page),
      PageUp: () => move(active - page),
      Home: () => move(0),
      End: () => move(count - 1),
      Enter: () => {
        const row = rows.at(active);
        if (row !== undefined) void open(row.seq);
      },
    };
    const action = keys[event.key];
    if (action === undefined) return;
    event.preventDefault();
    action();
  };

  const activeRow = rows.at(Math.min(active, count - 1));

  return (
    <div className="audit-table-wrap">
      {unseen > 0 && (
        <button
          type="button"
          className="audit-new"
          onClick={() => {
            scrollRef.current?.scrollTo({ top: 0 });
            setUnseen(0);
            setActive(0);
          }}
        >
          ↑ {unseen.toLocaleString()} new {unseen === 1 ? 'event' : 'events'}
        </button>
      )}
      <div
        ref={scrollRef}
        className="audit-scroll"
        role="grid"
        aria-label={label}
        aria-rowcount={count + 1}
        aria-activedescendant={activeRow === undefined ? undefined : rowId(activeRow.seq)}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onScroll={(event) => {
          if (event.currentTarget.scrollTop === 0 && unseen > 0) setUnseen(0);
        }}
        data-testid="audit-table"
      >
        <div role="row" className="audit-row audit-head" aria-rowindex={1}>
          {COLUMNS.map((c) => (
            <span role="columnheader" key={c}>
              {c}
            </span>
          ))}
        </div>
        <div className="audit-body" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = rows.at(item.index);
            if (row === undefined) return null;
            const classes = ['audit-row', item.index === active ? 'active' : '', row.seq === selected ? 'selected' : ''].join(' ').trim();
            return (
              <div
                key={row.seq}
                id={rowId(row.seq)}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={row.seq === selected}
                className={classes}
                style={{ transform: `translateY(${item.start - HEADER_HEIGHT}px)` }}
                onClick={() => {
                  setActive(item.index);
                  void open(row.seq);
                }}
                data-seq={row.seq}
              >
                <Cells row={row} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
