// Who am I: the caller's identity as the server sees it (subject, role, tenant, effective permissions).
import { z } from 'zod';

export const whoamiSchema = z.strictObject({
  subject: z.string(),
  kind: z.enum(['user', 'api_key', 'certificate', 'console', 'cli', 'system']),
  role: z.string(),
  tenant: z.string(),
  auth_method: z.enum(['jwt', 'api_key', 'mtls', 'local']),
  permissions: z.array(z.string()),
});

export type Whoami = z.infer<typeof whoamiSchema>;
