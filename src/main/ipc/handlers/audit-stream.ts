// audit:events: the live stream — events committed after `after` that pass the page's filter, batched so a burst costs the window at most ten messages a second.
import type { AuditRow } from '../../../shared/ipc/contracts/audit';
import { auditFilterMatcher, lineToEvent } from '../../core/audit/audit-service';
import { followAudit } from '../../core/audit/follow';
import { createLineReader } from '../../core/audit/lines';
import type { ConsoleEventSource } from '../subscriptions';
import { auditRow, storedFilter } from './audit-rows';

/** A batch waits at most this long, so new events are on screen well within a second. */
const BATCH_MS = 100;
const MAX_BATCH = 5_000;

export const auditStream: ConsoleEventSource<'audit:events'> = {
  needs: [{ resource: 'audit', action: 'read' }],
  start({ mesh, principal }, { after, ...filter }, emit, fail) {
    const { db, audit } = mesh.core;
    const matches = auditFilterMatcher(storedFilter(filter));
    let batch: AuditRow[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = (): void => {
      clearTimeout(timer);
      timer = undefined;
      if (batch.length === 0) return;
      const sent = batch;
      batch = [];
      emit(sent);
    };
    const follower = followAudit({
      reader: createLineReader(db),
      audit,
      tenantId: principal.tenantId,
      after,
      deliver(lines) {
        for (const { line } of lines) {
          const event = lineToEvent(line);
          if (matches(event)) batch.push(auditRow(event));
        }
        if (batch.length >= MAX_BATCH) flush();
        else if (batch.length > 0 && timer === undefined) timer = setTimeout(flush, BATCH_MS);
      },
      onError: fail,
    });
    return () => {
      follower.stop();
      clearTimeout(timer);
    };
  },
};
