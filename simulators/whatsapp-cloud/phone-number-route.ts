/** `GET /:version/:phoneNumberId?fields=…`: the number's health and limits (waba-wire.md §3.1), strictly. */
import type { Request, Response } from 'express';
import { graphError } from './errors';
import type { CloudState } from './state';

const PATH_RE = /^\/(v\d+\.\d+)\/(\d+)\/?$/;

/** Phone number id of a `GET /{id}` path, or undefined. */
export function phoneNumberPathId(path: string): string | undefined {
  return PATH_RE.exec(path)?.[2];
}

/** Fields Graph serves on a WhatsAppBusinessPhoneNumber node (the ones the simulator knows). */
const KNOWN_FIELDS = new Set([
  'id',
  'display_phone_number',
  'verified_name',
  'quality_rating',
  'whatsapp_business_manager_messaging_limit',
  'messaging_limit_tier',
  'throughput',
  'status',
  'name_status',
  'code_verification_status',
  'platform_type',
]);
/** What Graph answers when no `fields` are asked for. */
const DEFAULT_FIELDS = ['verified_name', 'code_verification_status', 'display_phone_number', 'quality_rating', 'id'];

/** `79001112233` → `+7 900 111-22-33` (Graph formats display_phone_number; webhooks do not). */
function formatted(digits: string): string {
  const m = /^(\d{1,3}?)(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(digits);
  return m ? `+${m[1]} ${m[2]} ${m[3]}-${m[4]}-${m[5]}` : `+${digits}`;
}

/** Answers one phone-number read. */
export function handlePhoneNumber(state: CloudState, phoneNumberId: string, req: Request, res: Response): void {
  const auth = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1]?.trim();
  const phone = state.phones.get(phoneNumberId);
  if (!auth || ![...state.phones.values()].some((p) => p.accessToken === auth)) {
    const e = graphError(190, 401, {
      message: 'Error validating access token: Session has expired or the access token is invalid.',
      subcode: 463,
    });
    res.status(e.status).json(e.body);
    return;
  }
  if (!phone || phone.accessToken !== auth) {
    const e = graphError(100, 400, {
      message: `Unsupported get request. Object with ID '${phoneNumberId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      type: 'GraphMethodException',
      subcode: 33,
    });
    res.status(e.status).json(e.body);
    return;
  }
  const raw = typeof req.query.fields === 'string' ? req.query.fields : undefined;
  const fields = raw === undefined ? DEFAULT_FIELDS : raw.split(',').map((f) => f.trim());
  const unknown = fields.find((f) => !KNOWN_FIELDS.has(f));
  if (unknown !== undefined) {
    const e = graphError(100, 400, {
      message: `(#100) Tried accessing nonexisting field (${unknown}) on node type (WhatsAppBusinessPhoneNumber)`,
    });
    res.status(e.status).json(e.body);
    return;
  }
  const health = phone.health;
  const values: Record<string, unknown> = {
    id: phone.phoneNumberId,
    display_phone_number: formatted(phone.displayPhoneNumber),
    verified_name: health.verifiedName,
    quality_rating: health.qualityRating,
    whatsapp_business_manager_messaging_limit: health.messagingLimit,
    messaging_limit_tier: health.messagingLimit,
    throughput: { level: 'STANDARD' },
    status: health.status,
    name_status: 'APPROVED',
    code_verification_status: 'VERIFIED',
    platform_type: 'CLOUD_API',
  };
  // Graph always adds the node's id.
  res.json(Object.fromEntries([...new Set([...fields, 'id'])].map((f) => [f, values[f]])));
}
