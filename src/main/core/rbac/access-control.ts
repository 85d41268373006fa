// Authorization with accountability: every decision the authorizer makes for a principal is also an audit event.
import type { AuditService } from '../audit/audit-service';
import type { Principal, RequestContext } from '../auth/principal';
import type { Authorizer, Decision } from './authorizer';
import { formatNeed, type Need } from './permissions';

export interface AccessControl {
  readonly authorizer: Authorizer;
  /** Decides, audits the decision, and throws FORBIDDEN when denied. `target` names the thing acted on, for the record. */
  require(principal: Principal, need: Need, ctx: RequestContext, target?: string): Decision;
  /** Decides without auditing (filtering lists, e.g. which tools a caller may see). */
  allows(principal: Principal, need: Need): boolean;
}

export function createAccessControl({ authorizer, audit, onDecision }: { authorizer: Authorizer; audit: AuditService; onDecision?: (allowed: boolean) => void }): AccessControl {
  // One frozen metadata object per decision (decisions are memoized too), so the audit trail encodes it once.
  const metadataOf = new WeakMap<Decision, Readonly<Record<string, unknown>>>();
  function metadata(decision: Decision, need: Need): Readonly<Record<string, unknown>> {
    let m = metadataOf.get(decision);
    if (m === undefined) {
      m = Object.freeze({ permission: formatNeed(need), role: decision.role, matched: decision.matched_permission, reason: decision.reason });
      metadataOf.set(decision, m);
    }
    return m;
  }

  return {
    authorizer,
    require(principal, need, ctx, target) {
      const decision = authorizer.decide(principal.role, need);
      onDecision?.(decision.allowed);
      audit.append({
        event_type: 'authz_decision',
        subject: principal.subject,
        action: need.action,
        resource: target ?? (metadata(decision, need).permission as string),
        result: decision.allowed ? 'success' : 'denied',
        tenant_id: principal.tenantId,
        metadata: metadata(decision, need) as Record<string, unknown>,
        ip: ctx.ip,
        user_agent: ctx.userAgent,
        trace_id: ctx.traceId,
      });
      return decision.allowed ? decision : authorizer.require(principal.role, need);
    },
    allows: (principal, need) => authorizer.decide(principal.role, need).allowed,
  };
}
