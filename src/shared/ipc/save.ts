// The answer of every "save to a file" channel: where it went and how big it is, or that the operator cancelled the dialog.
import { z } from 'zod';

export const savedFileSchema = z.strictObject({ saved: z.literal(true), path: z.string(), bytes: z.number().int().min(0) });
export const saveCancelledSchema = z.strictObject({ saved: z.literal(false) });
export const saveOutcomeSchema = z.discriminatedUnion('saved', [saveCancelledSchema, savedFileSchema]);

export type SaveOutcome = z.infer<typeof saveOutcomeSchema>;
