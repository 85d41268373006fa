// The policy simulator ("can subject X do action Y on Z?"): the REST API's /authz/check and the console ask it, and it answers with the very authorizer real requests go through.
import { AppError } from '../../../shared/errors';
import type { Principal } from '../auth/principal';
import type { Services } from '../services';
import { ACTIONS, RESOURCES, type Action, type Resource } from './permissions';

export interface SimulationRequest {
  /** user:<username>, key:<API key id> or role:<role name>. */
  subject: string;
  resource: string;
  action: string;
  target?: string | undefined;
}

export interface Verdict {
  allowed: boolean;
  reason: string;
  matched_permission: string | null;
  role: string | null;
}

/** Answers for a subject of the caller's tenant; someone else's user or key looks like nobody (NOT_FOUND). */
export function simulateAccess({ authorizer, users, apiKeys }: Pick<Services, 'authorizer' | 'users' | 'apiKeys'>, caller: Principal, { subject, resource, action, target }: SimulationRequest, now: Date = new Date()): Verdict {
  if (!(RESOURCES as readonly string[]).includes(resource)) throw new AppError('VALIDATION_FAILED', `unknown resource ${JSON.stringify(resource)}; use one of ${RESOURCES.join(', ')}`);
  if (!(ACTIONS as readonly string[]).includes(action)) throw new AppError('VALIDATION_FAILED', `unknown action ${JSON.stringify(action)}; use one of ${ACTIONS.join(', ')}`);
  const need = { resource: resource as Resource, action: action as Action, ...(target === undefined ? {} : { target }) };

  const [kind, ...rest] = subject.split(':');
  const name = rest.join(':');
  let role: string;
  if (kind === 'role') {
    role = name;
  } else if (kind === 'user') {
    const user = users.byUsername(name);
    if (user === undefined || user.tenant_id !== caller.tenantId) throw new AppError('NOT_FOUND', `no user ${JSON.stringify(name)}`);
    if (user.disabled) return { allowed: false, reason: `user ${name} is disabled`, matched_permission: null, role: user.role };
    role = user.role;
  } else if (kind === 'key') {
    const key = apiKeys.get(name);
    if (key === undefined || key.tenant_id !== caller.tenantId) throw new AppError('NOT_FOUND', `no API key ${JSON.stringify(name)}`);
    if (key.revoked_at !== null) return { allowed: false, reason: `key ${name} is revoked`, matched_permission: null, role: key.role };
    if (key.expires_at !== null && key.expires_at <= now.toISOString()) return { allowed: false, reason: `key ${name} has expired`, matched_permission: null, role: key.role };
    const owner = key.owner_id === null ? undefined : users.byId(key.owner_id);
    if (owner !== undefined && (owner.disabled || !authorizer.roleWithin(key.role, owner.role))) {
      return { allowed: false, reason: owner.disabled ? `the key's owner ${owner.username} is disabled` : `the key outranks its owner ${owner.username}, so it is refused`, matched_permission: null, role: key.role };
    }
    role = key.role;
  } else {
    throw new AppError('VALIDATION_FAILED', 'subject must be user:<username>, key:<API key id> or role:<role name>');
  }
  // The very function real requests go through.
  const decision = authorizer.decide(role, need);
  return { allowed: decision.allowed, reason: decision.reason, matched_permission: decision.matched_permission, role };
}
