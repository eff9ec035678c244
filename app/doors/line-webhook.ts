import type { Request, Response } from 'express';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors/app-error';
import { safeEqual } from '../../lib/hash';
import type { Logger } from '../../lib/logger';
import type { InboundEvent } from '../../providers/inbound-message';
import { type EnqueueInboundDeps, enqueueInboundOnce } from '../../queues/enqueue-inbound-once';
import type { Line, LineStore } from '../../store/line-store';

/** What a door of a provider whose webhooks carry the line's own token needs (Green-API, GupShup). */
export interface LineWebhookDoorDeps extends EnqueueInboundDeps {
  lines: Pick<LineStore, 'findByPhoneNumberId'>;
  clock: Clock;
  log: Logger;
}

/**
 * Refuses the webhook (401) unless `line` is a `provider` line, the one the path names, and `given`
 * is its webhook token. One answer for every mismatch (unknown sender, other line, wrong token):
 * nothing to probe; the log says which provider (`refusal`).
 */
export function checkLineWebhookToken(
  deps: Pick<LineWebhookDoorDeps, 'metrics' | 'log'>,
  req: Request,
  check: { line: Line | null; provider: Line['provider']; given: string; refusal: string },
): void {
  const { line } = check;
  const matches =
    line?.provider === check.provider &&
    line.id === req.params.lineId &&
    line.webhookToken !== undefined &&
    safeEqual(check.given, line.webhookToken);
  if (matches) return;
  deps.metrics.webhooks.inc({ outcome: 'bad_signature' });
  deps.log.warn({ ip: req.ip, lineId: req.params.lineId }, check.refusal);
  throw new AppError('bad_token', 'webhook token does not match the line', { kind: 'unauthorized' });
}

/**
 * Queues the webhook's event once (the provider retries undelivered ones: each message or status is
 * taken once) and answers `ok`, `duplicate`, or `ignored` when the webhook carries nothing to take.
 */
export async function queueLineWebhookEvent(
  deps: LineWebhookDoorDeps,
  res: Response,
  inboundAt: (receivedAt: number) => InboundEvent | null,
): Promise<void> {
  const receivedAt = deps.clock.now();
  const inbound = inboundAt(receivedAt);
  if (!inbound) {
    res.json({ result: 'ignored' });
    return;
  }
  const { key, ...job } = inbound;
  const fresh = await enqueueInboundOnce(deps, { ...job, receivedAt }, key);
  res.json({ result: fresh ? 'ok' : 'duplicate' });
}
