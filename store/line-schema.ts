import { z } from 'zod';

export const providerKindSchema = z.enum(['cloud', 'green-api', 'gupshup']);

/**
 * A WhatsApp line: one business number of one portal. The access token (and webhook token) are
 * sealed at rest. For Green-API lines `phoneNumberId` holds the idInstance and `accessToken` the
 * apiTokenInstance; for GupShup lines `phoneNumberId` holds the app name (its webhooks name it),
 * `accessToken` the API key and `source` the business number.
 */
export const lineSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/),
  memberId: z.string(),
  provider: providerKindSchema,
  phoneNumberId: z.string().min(1),
  accessToken: z.string().min(1),
  /** Green-API: the instance's API host (its console shows it), e.g. https://1103.api.green-api.com. */
  apiUrl: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Who set `apiUrl`: the settings page (a portal admin: its host is guarded when connecting) or
   * the CLI (the operator: trusted). A record from before this field reads as 'page' (fail closed).
   */
  apiUrlBy: z.enum(['page', 'cli']).default('page'),
  /** Cloud API: the WhatsApp Business Account id (its message templates; template webhooks name it). */
  wabaId: z.string().regex(/^\d+$/).optional(),
  /** Green-API: the instance's webhookUrlToken; GupShup: the secret path segment of the callback URL. */
  webhookToken: z.string().min(1).optional(),
  /** GupShup: the business number (digits with country code), the `source` of every send. */
  source: z
    .string()
    .regex(/^\d{6,15}$/)
    .optional(),
  name: z.string(),
  ratePerSec: z.number().int().positive().optional(),
  createdAt: z.number(),
});

/** A line as written (`apiUrlBy` may be left out: 'page'); reading parses it, so a stored line always says. */
export type Line = z.input<typeof lineSchema>;
