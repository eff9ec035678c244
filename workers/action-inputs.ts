import { z } from 'zod';
import { sendOptions, timeoutMs } from '../actions/common-properties';
import type { ActionOutput, AnyAction } from '../actions/define-action';
import { invalidProperty, propertyIssues } from '../actions/property-issues';
import type { AddressPolicy } from '../lib/address-policy';
import { ActionError } from '../lib/errors/app-error';
import { type Lang, t } from '../lib/i18n/catalogue';
import type { RunActionJob } from '../queues/job-schemas';
import { MAX_WAIT_MS } from '../waits/open-wait';

/** Return values and log line for a failed call, in the portal's language. */
export function errorOutput(error: ActionError, lang: Lang): ActionOutput {
  const text = error.text(lang);
  return {
    returnValues: { status: 'error', message_id: '', error_code: error.code, error: text, delivery_status: 'failed' },
    logMessage: t(lang, 'log.error', { code: error.code, text }),
  };
}

// One compiled schema per action: building a z.object per job costs more than the parse itself.
const inputSchemas = new WeakMap<AnyAction, z.ZodType<Record<string, unknown>>>();

function inputSchemaOf(action: AnyAction): z.ZodType<Record<string, unknown>> {
  const known = inputSchemas.get(action);
  if (known) return known;
  const shape = Object.fromEntries(Object.entries(action.properties).map(([code, p]) => [code, p.schema]));
  const schema = z.object(shape);
  inputSchemas.set(action, schema);
  return schema;
}

/**
 * The raw values without those that do not apply: a property `onlyWhen` a yes/no property the
 * action has and that is off is read as unset (its default), so it cannot refuse the call.
 */
function applyingValues(action: AnyAction, raw: RunActionJob['properties']): RunActionJob['properties'] {
  let applying = raw;
  const off = new Map<string, boolean>();
  for (const [code, p] of Object.entries(action.properties)) {
    const flag = p.onlyWhen;
    if (flag === undefined || !(code in raw)) continue;
    if (!off.has(flag)) off.set(flag, action.properties[flag]?.schema.safeParse(raw[flag]).data === false);
    if (!off.get(flag)) continue;
    if (applying === raw) applying = { ...raw };
    delete applying[code];
  }
  return applying;
}

/** The action's inputs, parsed by its own property schemas; `invalid_property` names what is wrong. */
export function parseInputs(action: AnyAction, given: RunActionJob['properties']): Record<string, unknown> {
  const raw = applyingValues(action, given);
  const parsed = inputSchemaOf(action).safeParse(raw);
  if (!parsed.success) {
    const technical = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ActionError('invalid_property', technical, { says: propertyIssues(action, parsed.error, raw) });
  }
  return parsed.data;
}

/**
 * Every URL the action would have a provider fetch must be one the app may be asked to call
 * (ALLOW_PRIVATE_ADDRESSES): all are checked before anything is sent; `invalid_property` names the field.
 * Returns how many were checked (each may have taken a DNS look-up).
 */
export async function checkAddresses(
  action: AnyAction,
  inputs: Record<string, unknown>,
  addresses: AddressPolicy,
): Promise<number> {
  const urls = action.urlsOf?.(inputs) ?? [];
  for (const { property, line, url } of urls) {
    const refusal = await addresses.refusal(url);
    if (refusal) throw invalidProperty(action, property, 'prop.address_refused', { url, reason: refusal }, line);
  }
  return urls.length;
}

/** The "wait for" time-out of a send action, in ms. */
export function deliveryTimeoutMs(inputs: Record<string, unknown>): number {
  const unit =
    inputs.wait_timeout_unit === 'minutes' || inputs.wait_timeout_unit === 'days' ? inputs.wait_timeout_unit : 'hours';
  return timeoutMs(typeof inputs.wait_timeout === 'number' ? inputs.wait_timeout : 24, unit);
}

/** What the send waits for after it leaves: a delivery status, or nothing. */
export function deliveryTarget(inputs: Record<string, unknown>): 'delivered' | 'read' | null {
  return inputs.wait_for === 'delivered' || inputs.wait_for === 'read' ? inputs.wait_for : null;
}

/** The status wait is checked before anything is sent, like every other property. */
export function checkDeliveryTimeout(inputs: Record<string, unknown>): void {
  if (deliveryTarget(inputs) && deliveryTimeoutMs(inputs) > MAX_WAIT_MS) {
    throw invalidProperty({ properties: sendOptions }, 'wait_timeout', 'prop.at_most_30_days');
  }
}
