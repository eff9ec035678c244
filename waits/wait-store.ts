import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys';
import { scripts, type ClaimResult } from '../redis/scripts';
import { callbackId, type Callback } from '../bitrix/callback-outbox';
import { waitSchema, type Wait } from './wait-schema';

const KEEP_ENDED_MS = 7 * 86400_000;
const INDEX_TTL_S = 31 * 86400;

export type WaitEnd = 'answered' | 'timeout' | 'cancelled' | 'delivered' | 'read' | 'failed';

/** What ending a wait reports to the robot/activity (omitted: no callback, e.g. the robot is gone). */
export interface WaitOutcome {
  returnValues: Record<string, string>;
  logMessage: string;
}

/** Open and ended waits of every portal; each wait's keys share the portal's hash tag. */
export class WaitStore {
  constructor(private readonly redis: Redis, private readonly keys: RedisKeys) {}

  /** Stores a wait before its message leaves; idempotent per wait id (a retried job keeps the first). */
  async open(wait: Omit<Wait, 'status' | 'reasks' | 'outcome' | 'endedAt' | 'endReason'>): Promise<{ created: boolean; wait: Wait }> {
    const existing = await this.get(wait.memberId, wait.id);
    if (existing) return { created: false, wait: existing };
    const full: Wait = { ...wait, status: 'open', reasks: 0 };
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(full)) if (v !== undefined) fields[k] = String(v);
    const k = this.keys;
    await this.redis
      .multi()
      .hset(k.wait(wait.memberId, wait.id), fields)
      .zadd(k.waitsByPhone(wait.memberId, wait.lineId, wait.phone), wait.createdAt, wait.id)
      .zadd(k.openWaits(wait.memberId), wait.deadline, wait.id)
      .sadd(k.waitsByDocument(wait.memberId, wait.documentId), wait.id)
      .expire(k.waitsByDocument(wait.memberId, wait.documentId), INDEX_TTL_S)
      .exec();
    return { created: true, wait: full };
  }

  async get(memberId: string, waitId: string): Promise<Wait | null> {
    const raw = await this.redis.hgetall(this.keys.wait(memberId, waitId));
    return raw.id ? waitSchema.parse(raw) : null;
  }

  /** Links the sent message to its wait (context.id replies, statuses) and keeps the send's return values. */
  async attachMessage(memberId: string, waitId: string, messageId: string, baseReturn: Record<string, string>): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.wait(memberId, waitId), 'messageId', messageId, 'baseReturn', JSON.stringify(baseReturn))
      .set(this.keys.waitByMessage(memberId, messageId), waitId, 'EX', INDEX_TTL_S)
      .exec();
  }

  async findByMessage(memberId: string, messageId: string): Promise<Wait | null> {
    const waitId = await this.redis.get(this.keys.waitByMessage(memberId, messageId));
    return waitId ? this.get(memberId, waitId) : null;
  }

  /** Open waits of a (line, phone), newest first. */
  async openForPhone(memberId: string, lineId: string, phone: string): Promise<Wait[]> {
    const ids = await this.redis.zrevrange(this.keys.waitsByPhone(memberId, lineId, phone), 0, 49);
    return this.loadOpen(memberId, ids);
  }

  async openForDocument(memberId: string, documentId: string): Promise<Wait[]> {
    const ids = await this.redis.smembers(this.keys.waitsByDocument(memberId, documentId));
    const open = await this.loadOpen(memberId, ids);
    const ended = ids.filter((id) => !open.some((w) => w.id === id));
    if (ended.length) await this.redis.srem(this.keys.waitsByDocument(memberId, documentId), ...ended);
    return open;
  }

  /** Open wait ids of a portal with their deadlines. */
  async listOpen(memberId: string, limit = 1000): Promise<Wait[]> {
    const ids = await this.redis.zrange(this.keys.openWaits(memberId), 0, limit - 1);
    return this.loadOpen(memberId, ids);
  }

  async countOpen(memberId: string): Promise<number> {
    return this.redis.zcard(this.keys.openWaits(memberId));
  }

  async recordReask(memberId: string, waitId: string): Promise<number> {
    return this.redis.hincrby(this.keys.wait(memberId, waitId), 'reasks', 1);
  }

  /** The portal said the workflow is gone: the outcome never reached it, so the wait counts as cancelled. */
  async markWorkflowGone(memberId: string, waitId: string): Promise<void> {
    await this.redis.hset(this.keys.wait(memberId, waitId), 'status', 'cancelled', 'endReason', 'workflow_gone');
  }

  /**
   * Ends the wait exactly once, queuing its callback in the same atomic step (so a crash after
   * the claim still delivers it). No outcome: ended silently (the robot is already gone).
   */
  async end(wait: Wait, status: WaitEnd, reason: string, outcome: WaitOutcome | null, now: number): Promise<ClaimResult> {
    const callback: Callback | null = outcome
      ? { eventToken: wait.eventToken, returnValues: outcome.returnValues, logMessage: outcome.logMessage, waitId: wait.id, attempts: 0, queuedAt: now }
      : null;
    const k = this.keys;
    return scripts.claimWait(
      this.redis,
      { wait: k.wait(wait.memberId, wait.id), byPhone: k.waitsByPhone(wait.memberId, wait.lineId, wait.phone), open: k.openWaits(wait.memberId), cbPending: k.callbackPending(wait.memberId), cbDue: k.callbackDue(wait.memberId) },
      { waitId: wait.id, status, outcomeJson: JSON.stringify(outcome?.returnValues ?? {}), callbackId: callback ? callbackId(wait.eventToken) : '', callbackJson: callback ? JSON.stringify(callback) : '', nowMs: now, reason, keepMs: KEEP_ENDED_MS },
    );
  }

  private async loadOpen(memberId: string, ids: string[]): Promise<Wait[]> {
    const waits = await Promise.all(ids.map((id) => this.get(memberId, id)));
    return waits.filter((w): w is Wait => w !== null && w.status === 'open');
  }
}
