// roles:list: the roles a picker offers, each marked with whether the console operator may hand it out.
import type { rolesChannels } from '../../../shared/ipc/contracts/roles';
import type { ConsoleHandlers } from '../console-handler';

export const rolesHandlers: ConsoleHandlers<keyof typeof rolesChannels> = {
  'roles:list': {
    needs: [{ resource: 'roles', action: 'read' }],
    handle: ({ mesh, principal }) => ({
      roles: mesh.services.roles.list().map((r) => ({ name: r.name, description: r.description, builtin: r.builtin, assignable: mesh.services.authorizer.roleWithin(r.name, principal.role) })),
    }),
  },
};
