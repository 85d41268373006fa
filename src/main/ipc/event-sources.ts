// The subscription table: contract event -> the source that feeds it (authorized as the console operator when it starts). Electron and the browser test bridge open subscriptions over it.
import { auditStream } from './handlers/audit-stream';
import type { ConsoleEventSources } from './subscriptions';

export const eventSources: ConsoleEventSources = {
  'audit:events': auditStream,
};
