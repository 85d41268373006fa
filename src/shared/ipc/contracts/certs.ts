// IPC channels of the Certificates page: the local CA, server and client certificates, revocation, the serving choice, export and trust instructions.
import { z } from 'zod';
import type { ChannelGroup } from '../channel';
import { saveCancelledSchema, savedFileSchema } from '../save';

const serverName = z.enum(['api', 'mcp']);
const serial = z.string().trim().min(1, 'a serial is required').max(128);
const days = z.number().int().positive().optional();

/** A certificate as list and show report it (the service's CertificateView). */
const certificate = z.strictObject({
  serial: z.string(),
  kind: z.enum(['ca', 'server', 'client', 'imported']),
  tenant_id: z.string(),
  subject_cn: z.string(),
  subject: z.string(),
  issuer: z.string(),
  sans: z.array(z.string()),
  issuer_serial: z.string().nullable(),
  not_before: z.string(),
  not_after: z.string(),
  sha256: z.string(),
  sha1: z.string(),
  key_algorithm: z.string(),
  ext_key_usage: z.array(z.string()).nullable(),
  is_ca: z.boolean(),
  has_key: z.boolean(),
  bound_role: z.string().nullable(),
  bound_user_id: z.string().nullable(),
  bound_user: z.string().nullable(),
  revoked_at: z.string().nullable(),
  revocation_reason: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
  is_current_ca: z.boolean(),
  status: z.enum(['valid', 'expiring', 'expired', 'revoked']),
  serving: z.array(serverName),
});

const list = z.strictObject({
  certificates: z.array(certificate),
  /** Serial of the current CA; null: none yet. */
  current_ca: z.string().nullable(),
  serving: z.strictObject({ api: z.string().nullable(), mcp: z.string().nullable() }),
});

const caInput = z.strictObject({ commonName: z.string().trim().min(1).max(64).optional(), days }).optional();

const issueServerInput = z.strictObject({
  sans: z.array(z.string().trim()).max(100),
  days,
  commonName: z.string().trim().min(1).max(64).optional(),
});

const issueClientInput = z
  .strictObject({
    commonName: z.string().trim().min(1, 'a common name is required').max(64),
    role: z.string().min(1).max(64).optional(),
    username: z.string().min(1).max(128).optional(),
    days,
  })
  .refine((input) => input.role === undefined || input.username === undefined, { message: 'bind to a role or to a user, not both' });

const exportInput = z
  .strictObject({ serial, format: z.enum(['pem', 'p12']), password: z.string().max(256).optional() })
  .refine((input) => input.format === 'pem' || (input.password !== undefined && input.password.length >= 4), { message: 'a PKCS#12 file needs a password of at least 4 characters', path: ['password'] });

/** Where the file went (main asked with the native save dialog and wrote it), or that the operator cancelled; never the content. */
const exported = z.discriminatedUnion('saved', [
  saveCancelledSchema,
  savedFileSchema.extend({ serial: z.string(), format: z.enum(['pem', 'p12']), key_included: z.boolean() }),
]);

const savedCa = z.discriminatedUnion('saved', [saveCancelledSchema, savedFileSchema.extend({ serial: z.string() })]);

const trustHelp = z.strictObject({ ca_serial: z.string(), filename: z.string(), text: z.string() });

export const certsChannels = {
  'certs:list': { input: z.undefined(), output: list },
  'certs:show': { input: z.strictObject({ serial }), output: certificate },
  'certs:createCa': { input: caInput, output: certificate },
  'certs:rotateCa': { input: caInput, output: z.strictObject({ current: certificate, previous: certificate }) },
  'certs:issueServer': { input: issueServerInput, output: certificate },
  'certs:issueClient': { input: issueClientInput, output: certificate },
  'certs:revoke': { input: z.strictObject({ serial, reason: z.string().max(64).optional() }), output: certificate },
  'certs:use': { input: z.strictObject({ serial, servers: z.array(serverName).min(1, 'choose api, mcp or both').max(2) }), output: certificate },
  /** Asks where to save (native dialog), then writes the PEM bundle or PKCS#12 file there (owner-only). */
  'certs:export': { input: exportInput, output: exported },
  /** Asks where to save, then writes the current CA's certificate (no key) there, for the trust instructions. */
  'certs:saveCa': { input: z.undefined(), output: savedCa },
  'certs:trustHelp': { input: z.undefined(), output: trustHelp },
} as const satisfies ChannelGroup;

export type Certificate = z.infer<typeof certificate>;
export type CertificateList = z.infer<typeof list>;
export type CertificateExport = z.infer<typeof exported>;
export type SavedCa = z.infer<typeof savedCa>;
export type TrustHelp = z.infer<typeof trustHelp>;
export type CertServer = z.infer<typeof serverName>;
