// Tenants: isolated spaces inside one mesh. Every row carries a tenant_id; every identity carries its tenant into each request.
import type { Database } from 'better-sqlite3';
import { tenantName } from '../../../shared/api/common';
import { AppError } from '../../../shared/errors';

export interface Tenant {
  id: string;
  name: string;
  created_at: string;
}

export interface TenantService {
  create(name: string): Tenant;
  list(): Tenant[];
  get(id: string): Tenant | undefined;
  /** The tenant of this name, or NOT_FOUND naming the fix. */
  require(name: string): Tenant;
}

export function createTenantService({ db, now = () => new Date() }: { db: Database; now?: () => Date }): TenantService {
  const insert = db.prepare('INSERT INTO tenants (tenant_id, name, created_at) VALUES (?, ?, ?)');
  const select = db.prepare<[string], { id: string; name: string; created_at: string }>('SELECT tenant_id AS id, name, created_at FROM tenants WHERE tenant_id = ?');
  const all = db.prepare<[], Tenant>('SELECT tenant_id AS id, name, created_at FROM tenants ORDER BY name');
  return {
    create(name) {
      const parsed = tenantName.safeParse(name);
      if (!parsed.success) throw new AppError('VALIDATION_FAILED', `tenant name ${JSON.stringify(name)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      if (select.get(name) !== undefined) throw new AppError('CONFLICT', `tenant ${name} already exists`);
      const created_at = now().toISOString();
      insert.run(name, name, created_at);
      return { id: name, name, created_at };
    },
    list: () => all.all(),
    get: (id) => select.get(id),
    require(name) {
      const tenant = select.get(name);
      if (tenant === undefined) throw new AppError('NOT_FOUND', `no tenant ${JSON.stringify(name)}; create it with \`devmesh tenants create ${name}\``);
      return tenant;
    },
  };
}
