import { z } from 'zod';
import type { BatchCommands, PortalClient } from '../bitrix/portal-client';
import { boundEvents, endpoints } from '../config/endpoints';
import { AppError } from '../lib/errors/app-error';

/**
 * Events the install page binds before its page calls `BX24.installFinish()`: ONAPPINSTALL — the
 * only event that carries the application token, which the page's POST lacks — and the app's own.
 */
export const installPageEvents = ['ONAPPINSTALL', ...boundEvents] as const;

const profileSchema = z.object({ ID: z.coerce.number().int().positive() }).loose();
const bindingsSchema = z.array(z.object({ event: z.string(), handler: z.string() }).loose()).catch([]);

/** The user whose token this is (`profile`: the user who opened the install page, i.e. installs the app). */
export async function installingUserId(client: Pick<PortalClient, 'call'>): Promise<number> {
  const profile = profileSchema.safeParse(await client.call('profile'));
  if (!profile.success) {
    throw new AppError('install_user_unknown', 'profile did not name the installing user', { retryable: true });
  }
  return profile.data.ID;
}

/**
 * Binds ONAPPINSTALL and the app's events to the events door (those not bound there yet), so the
 * portal's ONAPPINSTALL after installFinish reaches the app. Throws (retryable) when a bind fails:
 * the install page must not tell the portal to finish before the event has somewhere to go.
 */
export async function bindInstallEvents(client: Pick<PortalClient, 'batch'>, publicUrl: string): Promise<void> {
  const handler = `${publicUrl}${endpoints.events}`;
  const current = await client.batch({ bindings: ['event.get', {}] });
  if (current.errors.bindings) {
    const { code, description } = current.errors.bindings;
    throw new AppError('install_bind_failed', `event.get: ${code} ${description}`, { retryable: true });
  }
  const bound = new Set(
    bindingsSchema
      .parse(current.results.bindings)
      .filter((b) => b.handler === handler)
      .map((b) => b.event.toUpperCase()),
  );
  const commands: BatchCommands = {};
  for (const event of installPageEvents) if (!bound.has(event)) commands[event] = ['event.bind', { event, handler }];
  const outcome = await client.batch(commands);
  const failures = Object.entries(outcome.errors).map(([event, e]) => `${event}: ${e.code} ${e.description}`);
  if (failures.length) {
    throw new AppError('install_bind_failed', `event.bind failed: ${failures.join('; ')}`, { retryable: true });
  }
}
