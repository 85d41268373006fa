// Who is asking: the authenticated identity every request carries into authorization and the audit trail.

export type PrincipalKind = 'user' | 'api_key' | 'certificate' | 'console' | 'cli' | 'system';

export interface Principal {
  /** The audit subject: user:<username>, key:<id>, cert:<serial>, console:<os user>, cli:<os user>, system. */
  subject: string;
  kind: PrincipalKind;
  tenantId: string;
  role: string;
  /** The user acting (for API keys: the key's owner), if any. */
  userId: string | null;
  keyId: string | null;
  authMethod: 'jwt' | 'api_key' | 'mtls' | 'local';
}

/** Where a request came from, for the audit trail. */
export interface RequestContext {
  ip?: string | undefined;
  /** At most 512 characters (longer ones are cut where the context is made). */
  userAgent?: string | undefined;
  traceId?: string | undefined;
}

/** The audit fields of a request context (undefined fields are simply left out of the event). */
export function auditContext(ctx: RequestContext): { ip: string | undefined; user_agent: string | undefined; trace_id: string | undefined } {
  return { ip: ctx.ip, user_agent: ctx.userAgent, trace_id: ctx.traceId };
}
