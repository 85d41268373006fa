// Permissions are "resource:action" or "tools:execute:<tool>", with "*" allowed per part; this parses and matches them (shared: the authorizer decides with it, the console's matrix editor shows implications with it).
import { AppError } from '../errors';

export const RESOURCES = ['contexts', 'tools', 'api_keys', 'users', 'roles', 'audit', 'certs', 'settings', 'metrics'] as const;
export const ACTIONS = ['read', 'write', 'delete', 'execute', 'manage'] as const;

export type Resource = (typeof RESOURCES)[number];
export type Action = (typeof ACTIONS)[number];

/** What a request needs: e.g. contexts:read, or tools:execute on the tool context_get. */
export interface Need {
  resource: Resource;
  action: Action;
  /** A named instance (a tool name); grants without a target cover every instance. */
  target?: string;
}

export interface Permission {
  readonly text: string;
  readonly resource: Resource | '*';
  readonly action: Action | '*';
  /** undefined: every instance. */
  readonly target: string | undefined;
}

const TARGET = /^(\*|[a-z][a-z0-9_.-]{0,63})$/;

/** Parses "resource:action[:target]"; a bad permission is a VALIDATION_FAILED naming it and what is allowed. */
export function parsePermission(text: string): Permission {
  const parts = text.split(':');
  const [resource, action, target] = parts;
  const bad = (why: string) =>
    new AppError('VALIDATION_FAILED', `permission ${JSON.stringify(text)} ${why}; write resource:action with resource one of ${RESOURCES.join(', ')} (or *) and action one of ${ACTIONS.join(', ')} (or *), e.g. contexts:read or tools:execute:context_get`);
  if (parts.length < 2 || parts.length > 3) throw bad('is not resource:action');
  if (resource !== '*' && !(RESOURCES as readonly string[]).includes(resource as string)) throw bad(`names an unknown resource ${JSON.stringify(resource)}`);
  if (action !== '*' && !(ACTIONS as readonly string[]).includes(action as string)) throw bad(`names an unknown action ${JSON.stringify(action)}`);
  if (target !== undefined && !TARGET.test(target)) throw bad('has a malformed target');
  if (target !== undefined && resource !== 'tools') throw bad('names a target, which only tools have');
  return { text, resource: resource as Resource | '*', action: action as Action | '*', target: target === '*' ? undefined : target };
}

/** `manage` on a resource implies every other action on it (it is the administrator's verb). */
function actionCovers(granted: Action | '*', needed: Action): boolean {
  return granted === '*' || granted === needed || granted === 'manage';
}

export function permits(granted: Permission, need: Need): boolean {
  if (granted.resource !== '*' && granted.resource !== need.resource) return false;
  if (!actionCovers(granted.action, need.action)) return false;
  return granted.target === undefined || granted.target === need.target;
}

/** Does `outer` grant everything `inner` grants? (Used so nobody hands out rights they do not hold.) */
export function covers(outer: Permission, inner: Permission): boolean {
  if (outer.resource !== '*' && outer.resource !== inner.resource) return false;
  if (outer.action !== '*' && outer.action !== inner.action && !(outer.action === 'manage' && inner.action !== '*')) return false;
  return outer.target === undefined || outer.target === inner.target;
}

export function formatNeed(need: Need): string {
  return `${need.resource}:${need.action}${need.target === undefined ? '' : `:${need.target}`}`;
}
