// The server-side pepper for keyed hashes of API keys and refresh tokens: 32 random bytes, created once, stored encrypted.
import { randomBytes } from 'node:crypto';
import type { SecretStore } from '../crypto/secret-store';
import { DEFAULT_TENANT_ID } from '../storage/migrations/0001-tenants-and-meta';

const PEPPER_SECRET = 'token-pepper';

export function loadOrCreatePepper(secrets: SecretStore): Buffer {
  const existing = secrets.get(DEFAULT_TENANT_ID, PEPPER_SECRET);
  if (existing !== undefined) return existing;
  const pepper = randomBytes(32);
  secrets.put(DEFAULT_TENANT_ID, PEPPER_SECRET, pepper);
  return pepper;
}
