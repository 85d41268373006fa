// Rotating the JWT signing key on an operator's behalf, as the CLI and the console do: tokens signed before stay valid until they expire (grace), and the rotation is recorded as `jwt_key_rotated`.
import type { Services } from '../services';
import { auditContext, type Principal, type RequestContext } from './principal';

export function rotateJwtKeyAudited(services: Services, operator: Principal, ctx: RequestContext = {}): { kid: string; previousValidUntil: string | null } {
  const result = services.jwt.rotate({ grace: true });
  services.core.audit.append({ event_type: 'jwt_key_rotated', subject: operator.subject, action: 'rotate', resource: 'jwt_signing_key', result: 'success', metadata: { kid: result.kid, previous_valid_until: result.previousValidUntil }, ...auditContext(ctx) });
  return result;
}
