// The permission vocabulary and matching the authorizer uses; it lives in src/shared/rbac so the console's matrix editor shows the same implications.
export { ACTIONS, RESOURCES, covers, formatNeed, parsePermission, permits } from '../../../shared/rbac/permissions';
export type { Action, Need, Permission, Resource } from '../../../shared/rbac/permissions';
