// The "Keys & identities" page: API keys, users, JWT signing-key rotation and lockdown, with the guard rails and audit events of the REST API and CLI.
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import type { keysChannels } from '../../../shared/ipc/contracts/keys';
import { apiKeyDto, apiKeyStatus, keyLifetimeSeconds } from '../../core/auth/api-key-service';
import { createAuditedKey, requireAssignableRole, revokeAuditedKey } from '../../core/auth/create-key';
import { auditContext } from '../../core/auth/principal';
import { rotateJwtKeyAudited } from '../../core/auth/rotate-jwt';
import { auditUserChange, requireRoleWithin, tenantUser, userDto } from '../../core/auth/user-admin';
import { MASTER_KEY_BYTES } from '../../core/crypto/master-key';
import type { User } from '../../core/auth/user-service';
import { lockdown } from '../../core/incident/lockdown';
import type { ConsoleCall, ConsoleHandlers } from '../console-handler';

function auditUser({ mesh, principal, request }: ConsoleCall, event_type: string, user: User, metadata: Record<string, unknown>): void {
  auditUserChange(mesh.services, principal, event_type, user, metadata, request);
}

const API_KEYS_MANAGE = { resource: 'api_keys', action: 'manage' } as const;

export const keysHandlers: ConsoleHandlers<keyof typeof keysChannels> = {
  'keys:list': {
    // The console lists every key of its tenant, which the REST API allows only with api_keys:manage.
    needs: [{ resource: 'api_keys', action: 'read' }, API_KEYS_MANAGE],
    handle: ({ mesh, principal }) => ({ api_keys: mesh.services.apiKeys.list({ tenantId: principal.tenantId }).map((k) => ({ ...apiKeyDto(k), status: apiKeyStatus(k) })) }),
  },
  'keys:create': {
    needs: [{ resource: 'api_keys', action: 'write' }],
    handle({ mesh, principal, request }, input) {
      requireAssignableRole(mesh.services, principal, input.role, request);
      const expiresInSeconds = input.expires_in === undefined ? undefined : keyLifetimeSeconds(input.expires_in, 'expires_in');
      const { record, key } = createAuditedKey(mesh.services, principal, { name: input.name, role: input.role, tenantId: principal.tenantId, expiresInSeconds }, request);
      return { ...apiKeyDto(record), key };
    },
  },
  'keys:revoke': {
    needs: [{ resource: 'api_keys', action: 'delete' }, API_KEYS_MANAGE],
    handle({ mesh, principal, request }, { id }) {
      const key = mesh.services.apiKeys.get(id);
      if (key === undefined || key.tenant_id !== principal.tenantId) throw new AppError('NOT_FOUND', `no API key ${id}`);
      revokeAuditedKey(mesh.services, principal, key, request);
      return { id: key.id, name: key.name };
    },
  },
  'users:list': {
    needs: [{ resource: 'users', action: 'read' }],
    handle: ({ mesh, principal }) => ({ users: mesh.services.users.list({ tenantId: principal.tenantId }).map(userDto) }),
  },
  'users:create': {
    needs: [{ resource: 'users', action: 'write' }],
    async handle(call, input) {
      const { mesh, principal } = call;
      requireRoleWithin(mesh.services, principal, input.role, 'give');
      const user = await mesh.services.users.create({ username: input.username, password: input.password, role: input.role, tenantId: principal.tenantId });
      auditUser(call, 'user_created', user, { role: user.role });
      return userDto(user);
    },
  },
  'users:setRole': {
    needs: [{ resource: 'users', action: 'write' }],
    handle(call, { id, role }) {
      const { mesh, principal } = call;
      const user = tenantUser(mesh.services, principal, id);
      requireRoleWithin(mesh.services, principal, user.role, 'manage a user with');
      requireRoleWithin(mesh.services, principal, role, 'give');
      // The user service refuses to demote a tenant's last active admin (CONFLICT).
      const after = mesh.services.users.setRole(user.id, role);
      auditUser(call, 'user_role_changed', after, { before: { role: user.role }, after: { role } });
      return userDto(after);
    },
  },
  'users:setDisabled': {
    needs: [{ resource: 'users', action: 'write' }],
    handle(call, { id, disabled }) {
      const { mesh, principal } = call;
      const user = tenantUser(mesh.services, principal, id);
      requireRoleWithin(mesh.services, principal, user.role, 'manage a user with');
      // The user service refuses to disable a tenant's last active admin (CONFLICT).
      const after = mesh.services.users.setDisabled(user.id, disabled);
      const ended = disabled ? mesh.services.refreshTokens.revokeAllForUser(user.id) : 0;
      auditUser(call, disabled ? 'user_disabled' : 'user_enabled', after, { before: { disabled: user.disabled }, after: { disabled }, sessions_ended: ended });
      return { user: userDto(after), sessions_ended: ended };
    },
  },
  'users:resetPassword': {
    needs: [{ resource: 'users', action: 'write' }, { resource: 'users', action: 'manage' }],
    async handle(call, { id, password }) {
      const { mesh, principal } = call;
      const user = tenantUser(mesh.services, principal, id);
      requireRoleWithin(mesh.services, principal, user.role, 'manage a user with');
      const after = await mesh.services.users.resetPassword(user.id, password);
      const ended = mesh.services.refreshTokens.revokeAllForUser(user.id);
      auditUser(call, 'user_password_reset', after, { sessions_ended: ended });
      return { user: userDto(after), sessions_ended: ended };
    },
  },
  'auth:rotateJwtKey': {
    needs: [{ resource: 'settings', action: 'manage' }],
    handle({ mesh, principal, request }) {
      const { kid, previousValidUntil } = rotateJwtKeyAudited(mesh.services, principal, request);
      return { kid, previous_valid_until: previousValidUntil };
    },
  },
  'masterKey:rotate': {
    needs: [{ resource: 'settings', action: 'manage' }],
    handle({ mesh, principal, request }) {
      const { core } = mesh;
      // A key from ENCRYPTION_MASTER_KEY is the operator's to choose and set (as the CLI says); the console rotates only a key it holds in the keychain.
      if (core.masterKeySource !== 'keychain') {
        throw new AppError('VALIDATION_FAILED', 'the master key comes from ENCRYPTION_MASTER_KEY, so the new key must come from you: stop the mesh and run `devmesh rotate-master-key --new-key-stdin`, then set ENCRYPTION_MASTER_KEY to it');
      }
      // Safe in the running mesh: the core owns the connection, re-encrypts in one IMMEDIATE transaction and swaps its live cipher right after the
      // commit, synchronously, so no request runs between the two; secrets are always decrypted through that live cipher.
      const result = core.rotateMasterKey(randomBytes(MASTER_KEY_BYTES));
      core.audit.append({
        event_type: 'master_key_rotated', subject: principal.subject, action: 'rotate', resource: 'master_key', result: 'success',
        metadata: { key_version: result.keyVersion, reencrypted: result.reencrypted, store: core.keychain.backend }, ...auditContext(request),
      });
      return { key_version: result.keyVersion, reencrypted: result.reencrypted, ...(result.warning === undefined ? {} : { warning: result.warning }) };
    },
  },
  'incident:lockdown': {
    needs: [{ resource: 'settings', action: 'manage' }],
    handle: ({ mesh, principal, request }, input) => lockdown(mesh.services, principal, { adminsOnly: input.admins_only === true }, request),
  },
};
