// The local operator: the OS user who can open the data directory (and so its key) acts with every right, from a shell (`cli:<user>`) or the desktop console (`console:<user>`).
import { userInfo } from 'node:os';
import { DEFAULT_TENANT_ID } from '../storage/migrations/0001-tenants-and-meta';
import type { Principal } from './principal';

export function osUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Still an ordinary principal: every action it takes goes through the authorizer and into the audit trail under its subject. */
export function localOperator(kind: 'cli' | 'console'): Principal {
  return { subject: `${kind}:${osUserName()}`, kind, tenantId: DEFAULT_TENANT_ID, role: 'admin', userId: null, keyId: null, authMethod: 'local' };
}
