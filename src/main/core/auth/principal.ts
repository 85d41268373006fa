// Who is asking: the authenticated identity every request carries into authorization and the audit trail.

export type PrincipalKind = 'user' | 'api_key' | 'console' | 'cli' | 'system';

export interface Principal {
  /** The audit subject: user:<username>, key:<id>, console:<os user>, cli:<os user>, system. */
  subject: string;
  kind: PrincipalKind;
  tenantId: string;
  role: string;
  /** The user acting (for API keys: the key's owner), if any. */
  userId: string | null;
  keyId: string | null;
  authMethod: 'jwt' | 'api_key' | 'local';
}

/** Where a request came from, for the audit trail. */
export interface RequestContext {
  ip?: string | undefined;
  userAgent?: string | undefined;
  traceId?: string | undefined;
}

export function auditContext(ctx: RequestContext): { ip?: string; user_agent?: string; trace_id?: string } {
  return {
    ...(ctx.ip === undefined ? {} : { ip: ctx.ip }),
    ...(ctx.userAgent === undefined ? {} : { user_agent: ctx.userAgent.slice(0, 512) }),
    ...(ctx.traceId === undefined ? {} : { trace_id: ctx.traceId }),
  };
}
