// Prometheus metrics (prom-client): requests, latency, authentication, authorization, rate limiting, audit events, sessions and the process, one registry per mesh.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MeshMetrics {
  readonly registry: Registry;
  httpRequest(server: string, route: string, method: string, status: number, seconds: number): void;
  authAttempt(method: string, result: 'success' | 'failure'): void;
  authzDecision(allowed: boolean): void;
  rateLimited(scope: string): void;
  auditEvent(type: string): void;
  /** A gauge read at scrape time (sessions of a kind: refresh-token families now, MCP sessions later). */
  watchSessions(kind: string, count: () => number): void;
  render(): Promise<string>;
}

export function createMetrics({ processMetrics = true }: { processMetrics?: boolean } = {}): MeshMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'devmesh' });
  if (processMetrics) collectDefaultMetrics({ register: registry, prefix: 'devmesh_' });

  const requests = new Counter({ name: 'devmesh_http_requests_total', help: 'HTTP requests by server, route, method and status', labelNames: ['server', 'route', 'method', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'devmesh_http_request_duration_seconds',
    help: 'HTTP request latency by server, route and method',
    labelNames: ['server', 'route', 'method'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const auth = new Counter({ name: 'devmesh_auth_attempts_total', help: 'Authentication attempts by method and result', labelNames: ['method', 'result'], registers: [registry] });
  const authz = new Counter({ name: 'devmesh_authz_decisions_total', help: 'Authorization decisions by result', labelNames: ['result'], registers: [registry] });
  const limited = new Counter({ name: 'devmesh_rate_limited_total', help: 'Requests refused by rate limits or the blocklist, by scope', labelNames: ['scope'], registers: [registry] });
  const audit = new Counter({ name: 'devmesh_audit_events_total', help: 'Audit events appended, by type', labelNames: ['type'], registers: [registry] });
  const sessionCounters = new Map<string, () => number>();
  new Gauge({
    name: 'devmesh_active_sessions',
    help: 'Active sessions by kind (refresh: refresh-token families; mcp: MCP sessions)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [kind, count] of sessionCounters) this.set({ kind }, count());
    },
  });

  return {
    registry,
    httpRequest(server, route, method, status, seconds) {
      requests.inc({ server, route, method, status: String(status) });
      latency.observe({ server, route, method }, seconds);
    },
    authAttempt: (method, result) => auth.inc({ method, result }),
    authzDecision: (allowed) => authz.inc({ result: allowed ? 'allowed' : 'denied' }),
    rateLimited: (scope) => limited.inc({ scope }),
    auditEvent: (type) => audit.inc({ type }),
    watchSessions: (kind, count) => {
      sessionCounters.set(kind, count);
    },
    render: () => registry.metrics(),
  };
}
