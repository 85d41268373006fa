// /api/v1/audit: search the caller's tenant's audit trail, verify the chain (off the event loop), export it (JSON lines or CSV, streamed, signed) and watch it live (Server-Sent Events).
import { Readable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  auditPageSchema,
  auditVerifySchema,
  exportAuditQuerySchema,
  listAuditQuerySchema,
  type AuditVerifyDto,
  type ExportAuditQuery,
  type ListAuditQuery,
} from '../../../../shared/api/audit';
import { auditContext } from '../../../core/auth/principal';
import { loadCheckpointKey, withCheckpointKey } from '../../../core/audit/checkpoint';
import { exportAudit, exportedEvent } from '../../../core/audit/export';
import { DEFAULT_POLL_MS, followAudit, type Follower } from '../../../core/audit/follow';
import { createLineReader } from '../../../core/audit/lines';
import { createAuditedVerify, verifyDto } from '../../../core/audit/audited-verify';
import type { Services } from '../../../core/services';
import { principalOf, requestContext } from '../../http/access-hooks';
import { routeSchema } from '../../http/schemas';

export interface AuditRouteOptions {
  /** Comment lines that keep idle streams (and proxies) from timing out. */
  heartbeatMs?: number;
  /** How often a stream looks for events committed by other processes (the CLI). */
  pollMs?: number;
}

const READ = { permission: { resource: 'audit', action: 'read' } } as const;
const HEARTBEAT_MS = 15_000;

/** Query-string instants in the stored form (UTC, milliseconds), so they compare as text with stored timestamps. */
function instant(value: string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}

/** Headers the hooks already set (security headers, trace id, no-store, CORS), for a response written by hand. */
function hookHeaders(reply: FastifyReply): Record<string, string | number | string[]> {
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value;
  return headers;
}

/** Resolves when the response can take more, or when the client has gone. */
function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed || res.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function registerAuditRoutes(app: FastifyInstance, { core }: Services, options: AuditRouteOptions = {}): void {
  const { db, audit, secrets } = core;
  const tags = ['audit'];
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;

  app.get(
    '/api/v1/audit',
    {
      config: READ,
      schema: routeSchema({ summary: "Search your tenant's audit events, newest first, with filters and a cursor", tags, querystring: listAuditQuerySchema, response: { 200: auditPageSchema } }),
    },
    async (request) => {
      const q = request.query as ListAuditQuery;
      return audit.query({
        tenant_id: principalOf(request).tenantId,
        event_type: q.event_type,
        subject: q.subject,
        result: q.result,
        resource: q.resource,
        since: instant(q.since),
        until: instant(q.until),
        q: q.q,
        cursor: q.cursor,
        limit: q.limit ?? 100,
      });
    },
  );

  const verify = createAuditedVerify({ db, audit, secrets, file: core.storage.file });
  app.get(
    '/api/v1/audit/verify',
    {
      config: READ,
      schema: routeSchema({ summary: 'Verify the hash chain (and the signed checkpoint of a pruned base); big trails are checked on a worker thread', tags, response: { 200: auditVerifySchema } }),
    },
    async (request): Promise<AuditVerifyDto> => {
      return verifyDto(await verify(principalOf(request), requestContext(request)));
    },
  );

  app.get(
    '/api/v1/audit/export',
    {
      config: READ,
      schema: routeSchema({
        summary: "Export your tenant's audit trail, streamed: JSON lines (verbatim, verifiable offline) or CSV, ending with a signed chain-head trailer",
        tags,
        querystring: exportAuditQuerySchema,
        response: { 200: z.string().describe('application/x-ndjson or text/csv') },
      }),
    },
    async (request, reply) => {
      const q = request.query as ExportAuditQuery;
      const p = principalOf(request);
      const format = q.format ?? 'jsonl';
      const since = instant(q.since);
      const until = instant(q.until);
      const context = auditContext(requestContext(request));
      // The write lock only the first time, to create the key.
      const signingKey = loadCheckpointKey(secrets) ?? withCheckpointKey(db, secrets, (key) => key);
      const chunks = exportAudit({
        db,
        audit,
        format,
        tenantId: p.tenantId,
        since,
        until,
        signingKey,
        installationId: core.installationId,
        onEnd: (summary, error) => audit.append({ ...exportedEvent(summary, error, { since, until, via: 'rest' }), subject: p.subject, tenant_id: p.tenantId, ...context }),
      });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      return reply
        .type(format === 'jsonl' ? 'application/x-ndjson; charset=utf-8' : 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="devmesh-audit-${stamp}.${format}"`)
        .send(Readable.from(chunks));
    },
  );

  // Open streams, ended when the server closes (otherwise close would wait for every viewer to leave).
  const streams = new Set<() => void>();
  app.addHook('preClose', (done) => {
    for (const end of [...streams]) end();
    done();
  });

  app.get(
    '/api/v1/audit/stream',
    {
      config: READ,
      schema: routeSchema({
        summary: "Your tenant's audit events live, as Server-Sent Events (event: audit, id: seq, data: the stored JSON line); send Last-Event-ID to resume",
        tags,
        response: { 200: z.string().describe('text/event-stream') },
      }),
    },
    (request, reply) => {
      const tenantId = principalOf(request).tenantId;
      const reader = createLineReader(db);
      const lastId = request.headers['last-event-id'];
      const resume = typeof lastId === 'string' && /^\d{1,15}$/.test(lastId.trim()) ? Number(lastId.trim()) : undefined;
      const after = resume ?? reader.head();
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { ...hookHeaders(reply), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', connection: 'keep-alive' });
      // The first bytes go out at once, so the client knows the stream is open before the first event.
      res.write(`: devmesh audit stream from seq ${after}\nretry: 2000\n\n`);

      const heartbeat = setInterval(() => {
        if (!res.destroyed) res.write(': heartbeat\n\n');
      }, heartbeatMs);
      heartbeat.unref();
      const end = (): void => {
        clearInterval(heartbeat);
        follower.stop();
        streams.delete(end);
        if (!res.writableEnded) res.end();
      };
      streams.add(end);
      res.on('close', end);
      const follower: Follower = followAudit({
        reader,
        audit,
        tenantId,
        after,
        pollMs,
        deliver: async (lines) => {
          let text = '';
          for (const { seq, line } of lines) text += `event: audit\nid: ${seq}\ndata: ${line}\n\n`;
          if (!res.write(text)) await drained(res);
        },
        onError: (error) => {
          request.log.error({ err: error, trace_id: request.id }, 'audit stream failed');
          end();
        },
      });
    },
  );
}
