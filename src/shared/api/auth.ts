// Login, token refresh and logout: request and response bodies.
import { z } from 'zod';

export const loginRequestSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});

export const tokenResponseSchema = z.strictObject({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().describe('seconds until the access token expires'),
  refresh_token: z.string(),
});

export const refreshRequestSchema = z.strictObject({ refresh_token: z.string().min(1).max(512) });
export const logoutRequestSchema = refreshRequestSchema;

export type LoginRequest = z.infer<typeof loginRequestSchema>;
export type TokenResponse = z.infer<typeof tokenResponseSchema>;
