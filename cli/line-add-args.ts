import { z } from 'zod';

const common = {
  portal: z.string().min(1, '--portal <member_id> is required'),
  // Left out, a re-add keeps the line's name (a new line is named after its account).
  name: z.string().min(1, "--name must not be empty (leave it out to keep the line's name)").optional(),
  rate: z.coerce.number().int().positive().optional(),
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
};
const cloudSchema = z.object({
  ...common,
  provider: z.literal('cloud').default('cloud'),
  'phone-number-id': z.string().min(1, '--phone-number-id is required'),
  'access-token': z.string().min(1, '--access-token is required'),
  /** The WhatsApp Business Account id: the line's templates are listed from it. */
  'waba-id': z.string().regex(/^\d+$/, '--waba-id must be the account id (digits)').optional(),
});
const greenApiSchema = z.object({
  ...common,
  provider: z.literal('green-api'),
  'id-instance': z.string().regex(/^\d+$/, '--id-instance <digits> is required'),
  'api-token': z.string().min(1, '--api-token is required'),
  'api-url': z.url({ protocol: /^https?$/ }).optional(),
  // Green-API sends it back as `Authorization: Bearer <token>` on every webhook (webhookUrlToken).
  // Required unless a re-add of the same instance keeps the stored one (cli/line-readd.ts).
  'webhook-token': z.string().min(16, '--webhook-token must be at least 16 characters').optional(),
});
const gupshupSchema = z.object({
  ...common,
  provider: z.literal('gupshup'),
  'app-name': z.string().regex(/^[A-Za-z0-9_-]+$/, '--app-name <GupShup app name> is required'),
  'api-key': z.string().min(1, '--api-key is required'),
  source: z
    .string()
    .transform((v) => v.replace(/\D/g, ''))
    .pipe(z.string().regex(/^\d{6,15}$/, '--source <business number with country code> is required')),
  'api-url': z.url({ protocol: /^https?$/ }).optional(),
  // GupShup signs nothing: the secret is part of the callback URL (kept on a re-add of the same
  // app, else made up when not given: cli/line-readd.ts).
  'webhook-token': z.string().min(16, '--webhook-token must be at least 16 characters').optional(),
});

/** Each provider's flags, for the check that none of another provider's is given. */
const providerSchemas = { cloud: cloudSchema, 'green-api': greenApiSchema, gupshup: gupshupSchema } as const;

/**
 * A flag of another provider is an error naming it (zod would drop it unread: `--provider green-api
 * --waba-id x` would pass, however invalid the id), as the CLI's other flags are checked strictly.
 */
function refuseOtherProvidersFlags(flags: Record<string, string>, provider: keyof typeof providerSchemas): void {
  const own = Object.keys(providerSchemas[provider].shape);
  for (const name of Object.keys(flags)) {
    if (own.includes(name)) continue;
    const owners = Object.entries(providerSchemas)
      .filter(([, schema]) => Object.hasOwn(schema.shape, name))
      .map(([owner]) => owner);
    if (owners.length)
      throw new Error(`--${name} is not a flag of --provider ${provider} (it belongs to ${owners.join(', ')})`);
  }
}

/** The flags every provider shares. */
function pick(a: { portal: string; id?: string; name?: string; rate?: number }) {
  return { portal: a.portal, id: a.id, name: a.name, rate: a.rate };
}

/**
 * Each provider's flags, parsed into one shape for every provider: `phoneNumberId` names the account
 * (Cloud API: the phone number id; Green-API: the idInstance; GupShup: the app name), undefined is
 * "not given" (a re-add keeps the stored value, cli/line-readd.ts).
 */
const lineAddSchemas = {
  cloud: cloudSchema.transform((a) => ({
    ...pick(a),
    provider: a.provider,
    phoneNumberId: a['phone-number-id'],
    accessToken: a['access-token'],
    wabaId: a['waba-id'],
    apiUrl: undefined,
    webhookToken: undefined,
    source: undefined,
  })),
  'green-api': greenApiSchema.transform((a) => ({
    ...pick(a),
    provider: a.provider,
    phoneNumberId: a['id-instance'],
    accessToken: a['api-token'],
    apiUrl: a['api-url'],
    webhookToken: a['webhook-token'],
    wabaId: undefined,
    source: undefined,
  })),
  gupshup: gupshupSchema.transform((a) => ({
    ...pick(a),
    provider: a.provider,
    phoneNumberId: a['app-name'],
    accessToken: a['api-key'],
    apiUrl: a['api-url'],
    webhookToken: a['webhook-token'],
    wabaId: undefined,
    source: a.source,
  })),
} as const;

/** What `lines add` was given (lineAddSchemas' output: the type is the parse's, it cannot drift from it). */
export type LineAddArgs = z.output<(typeof lineAddSchemas)[keyof typeof lineAddSchemas]>;

/** `--provider cloud|green-api|gupshup` with that provider's own flags → the line fields. */
export function parseLineAdd(flags: Record<string, string>): LineAddArgs {
  const provider = flags.provider ?? 'cloud';
  if (provider !== 'cloud' && provider !== 'green-api' && provider !== 'gupshup')
    throw new Error('--provider must be cloud, green-api or gupshup');
  refuseOtherProvidersFlags(flags, provider);
  return lineAddSchemas[provider].parse(flags);
}
