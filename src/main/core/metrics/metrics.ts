// Prometheus metrics (prom-client): requests, latency, authentication, authorization, rate limiting, audit events, sessions and the process, one registry per mesh.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MeshMetrics {
  readonly registry: Registry;
  httpRequest(server: string, route: string, method: string, status: number, seconds: number): void;
  authAttempt(method: string, result: 'success' | 'failure'): void;
  authzDecision(allowed: boolean): void;
  rateLimited(scope: string): void;
  auditEvent(type: string): void;
  /** An MCP tool call by tool and result (success, error: the tool reported a failure, denied, invalid). */
  toolCall(tool: string, result: string, seconds: number): void;
  /** Seconds until each certificate (not revoked) expires, read at scrape time: `tls_certificate_expiry_seconds`. */
  watchCertificates(list: () => readonly CertificateExpiry[]): void;
  /** A gauge read at scrape time (sessions of a kind: refresh-token families now, MCP sessions later). */
  watchSessions(kind: string, count: () => number): void;
  /** The watched session counts now, by kind (the console's overview reads them as /metrics does). */
  sessionCounts(): Record<string, number>;
  render(): Promise<string>;
}

export interface CertificateExpiry {
  serial: string;
  kind: string;
  subject: string;
  /** Negative once expired. */
  seconds: number;
}

export function createMetrics({ processMetrics = true }: { processMetrics?: boolean } = {}): MeshMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'devmesh' });
  // Event-loop lag sampled every 100 ms, not prom-client's 10 ms: an idle desktop app should not wake 100 times a second.
  if (processMetrics) collectDefaultMetrics({ register: registry, prefix: 'devmesh_', eventLoopMonitoringPrecision: 100 });

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
  const toolCalls = new Counter({ name: 'devmesh_mcp_tool_calls_total', help: 'MCP tool calls by tool and result', labelNames: ['tool', 'result'], registers: [registry] });
  const toolLatency = new Histogram({
    name: 'devmesh_mcp_tool_call_duration_seconds',
    help: 'MCP tool call latency by tool',
    labelNames: ['tool'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  let certificates: () => readonly CertificateExpiry[] = () => [];
  new Gauge({
    // The name the issue gives (no devmesh_ prefix), so dashboards written against it work as they are.
    name: 'tls_certificate_expiry_seconds',
    help: 'Seconds until each mesh certificate expires (negative once expired), revoked ones left out',
    labelNames: ['serial', 'kind', 'subject'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of certificates()) this.set({ serial: c.serial, kind: c.kind, subject: c.subject }, Math.round(c.seconds));
    },
  });
  const sessionCounters = new Map<string, () => number>();
  new Gauge({
    name: 'devmesh_active_sessions',
    help: 'Active sessions by kind (refresh: refresh-token families; mcp_http, mcp_ws: MCP sessions by transport)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [kind, count] of sessionCounters) this.set({ kind }, count());
    },
  });

  // prom-client hashes the label object on every call; a request's labels repeat, so its children are looked up once
  // per (server, route, method, status) and kept (route patterns, never raw URLs: the set stays small).
  const allowedDecisions = authz.labels('allowed');
  const deniedDecisions = authz.labels('denied');
  const auditChildren = new Map<string, { inc(): void }>();
  const requestChildren = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();

  return {
    registry,
    httpRequest(server, route, method, status, seconds) {
      const id = `${server} ${method} ${status} ${route}`;
      let child = requestChildren.get(id);
      if (child === undefined) {
        child = { count: requests.labels(server, route, method, String(status)), time: latency.labels(server, route, method) };
        requestChildren.set(id, child);
      }
      child.count.inc();
      child.time.observe(seconds);
    },
    authAttempt: (method, result) => auth.inc({ method, result }),
    authzDecision: (allowed) => (allowed ? allowedDecisions : deniedDecisions).inc(),
    rateLimited: (scope) => limited.inc({ scope }),
    auditEvent(type) {
      let child = auditChildren.get(type);
      if (child === undefined) {
        child = audit.labels(type);
        auditChildren.set(type, child);
      }
      child.inc();
    },
    watchCertificates(list) {
      certificates = list;
    },
    watchSessions: (kind, count) => {
      sessionCounters.set(kind, count);
    },
    sessionCounts: () => Object.fromEntries([...sessionCounters].map(([kind, count]) => [kind, count()])),
    toolCall(tool, result, seconds) {
      // Tool names come from the registry (unknown names are counted as "unknown"), so the label set stays small.
      toolCalls.labels(tool, result).inc();
      toolLatency.labels(tool).observe(seconds);
    },
    render: () => registry.metrics(),
  };
}
