// IPC channels about the audit trail: verifying the hash chain on demand ("Verify now"), reported as the REST API reports it.
import { z } from 'zod';
import { auditVerifySchema } from '../../api/audit';
import type { ChannelGroup } from '../channel';

const verifyResult = auditVerifySchema.extend({ verified_at: z.string() });

export const auditChannels = {
  'audit:verify': { input: z.undefined(), output: verifyResult },
} as const satisfies ChannelGroup;

export type AuditVerifyResult = z.infer<typeof verifyResult>;
