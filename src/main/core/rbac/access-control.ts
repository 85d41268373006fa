// Authorization with accountability: every decision the authorizer makes for a principal is also an audit event.
import type { AuditService } from '../audit/audit-service';
import type { Principal, RequestContext } from '../auth/principal';
import { auditContext } from '../auth/principal';
import type { Authorizer, Decision } from './authorizer';
import { formatNeed, type Need } from './permissions';

export interface AccessControl {
  readonly authorizer: Authorizer;
  /** Decides, audits the decision, and throws FORBIDDEN when denied. `target` names the thing acted on, for the record. */
  require(principal: Principal, need: Need, ctx: RequestContext, target?: string): Decision;
  /** Decides without auditing (filtering lists, e.g. which tools a caller may see). */
  allows(principal: Principal, need: Need): boolean;
}

export function createAccessControl({ authorizer, audit }: { authorizer: Authorizer; audit: AuditService }): AccessControl {
  return {
    authorizer,
    require(principal, need, ctx, target) {
      const decision = authorizer.decide(principal.role, need);
      audit.append({
        event_type: 'authz_decision',
        subject: principal.subject,
        action: need.action,
        resource: target ?? formatNeed(need),
        result: decision.allowed ? 'success' : 'denied',
        tenant_id: principal.tenantId,
        metadata: { permission: formatNeed(need), role: principal.role, matched: decision.matched_permission, reason: decision.reason },
        ...auditContext(ctx),
      });
      return decision.allowed ? decision : authorizer.require(principal.role, need);
    },
    allows: (principal, need) => authorizer.decide(principal.role, need).allowed,
  };
}
