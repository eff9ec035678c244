/**
 * Account-level webhooks (waba-wire.md §3.2): `phone_number_quality_update` and `account_update`.
 * Their envelope has `entry[].time` and the field's own name, and no `metadata`: a quality update
 * names the number only by its display digits.
 */
import type { PhoneNumber, WebhookDelivery } from './types';

type Obj = Record<string, unknown>;

/** Options of `deliverQualityUpdate`: the event, the new limit, and the quality Graph reads afterwards. */
export interface DeliverQualityUpdateOptions {
  phoneNumberId: string;
  /** Current names ONBOARDING, THROUGHPUT_UPGRADE; older UPGRADE, DOWNGRADE, FLAGGED, UNFLAGGED. */
  event: 'ONBOARDING' | 'THROUGHPUT_UPGRADE' | 'UPGRADE' | 'DOWNGRADE' | 'FLAGGED' | 'UNFLAGGED';
  /** The portfolio limit after the event (TIER_250, TIER_2K…); default: unchanged. */
  currentLimit?: string;
  /** The number's quality rating after the event (what a later `GET /{id}` reports). */
  qualityRating?: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
}

/** Options of `deliverAccountUpdate`. */
export interface DeliverAccountUpdateOptions {
  phoneNumberId: string;
  event: 'ACCOUNT_RESTRICTION' | 'ACCOUNT_VIOLATION' | 'DISABLED_UPDATE' | 'ACCOUNT_OFFBOARDED' | 'ACCOUNT_RECONNECTED';
  /** RESTRICTION: the restriction type (default RESTRICTED_BIZ_INITIATED_MESSAGING). */
  restrictionType?: string;
}

function accountEnvelope(phone: PhoneNumber, field: string, value: Obj): Obj {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: phone.wabaId, time: Math.floor(Date.now() / 1000), changes: [{ value, field }] }],
  };
}

/** A `phone_number_quality_update` body; the limit appears under both its old and new names. */
export function qualityUpdatePayload(phone: PhoneNumber, o: DeliverQualityUpdateOptions, oldLimit: string): Obj {
  const limit = o.currentLimit ?? oldLimit;
  return accountEnvelope(phone, 'phone_number_quality_update', {
    display_phone_number: phone.displayPhoneNumber,
    event: o.event,
    current_limit: limit,
    max_daily_conversations_per_business: limit,
    ...(limit !== oldLimit ? { old_limit: oldLimit } : {}),
  });
}

/** An `account_update` body (pywa fixtures' shapes). */
export function accountUpdatePayload(phone: PhoneNumber, o: DeliverAccountUpdateOptions): Obj {
  const value: Obj = { phone_number: phone.displayPhoneNumber, event: o.event };
  if (o.event === 'ACCOUNT_RESTRICTION')
    value.restriction_info = [
      {
        restriction_type: o.restrictionType ?? 'RESTRICTED_BIZ_INITIATED_MESSAGING',
        expiration: Math.floor(Date.now() / 1000) + 86_400,
      },
    ];
  if (o.event === 'ACCOUNT_VIOLATION') value.violation_info = { violation_type: 'SCAM' };
  if (o.event === 'DISABLED_UPDATE')
    value.ban_info = { waba_ban_state: ['SCHEDULE_FOR_DISABLE'], waba_ban_date: '2026-12-31' };
  return accountEnvelope(phone, 'account_update', value);
}

/** The simulator's account-webhook methods. */
export interface AccountDeliveries {
  /** Changes the number's health as the event says and sends `phone_number_quality_update`. */
  deliverQualityUpdate(o: DeliverQualityUpdateOptions): Promise<WebhookDelivery>;
  /** Sends an `account_update` for the number's account. */
  deliverAccountUpdate(o: DeliverAccountUpdateOptions): Promise<WebhookDelivery>;
}

/** Builds them over the simulator's numbers and its signed webhook post. */
export function accountDeliveries(
  phoneOf: (phoneNumberId: string) => PhoneNumber,
  post: (payload: Obj) => Promise<WebhookDelivery>,
): AccountDeliveries {
  return {
    deliverQualityUpdate(o) {
      const phone = phoneOf(o.phoneNumberId);
      const payload = qualityUpdatePayload(phone, o, phone.health.messagingLimit);
      phone.health = {
        ...phone.health,
        ...(o.currentLimit ? { messagingLimit: o.currentLimit } : {}),
        ...(o.qualityRating ? { qualityRating: o.qualityRating } : {}),
      };
      return post(payload);
    },
    deliverAccountUpdate: (o) => post(accountUpdatePayload(phoneOf(o.phoneNumberId), o)),
  };
}
