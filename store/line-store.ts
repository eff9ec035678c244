import { RecentMap } from '../lib/recent-map';
import type { SecretBox } from '../lib/secret-box';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import { lineScripts } from '../redis/line-scripts';
import { scripts } from '../redis/scripts';
import { ConfigCache, newConfigVersion } from './config-cache';
import { changed, conflict } from './line-errors';
import { type Line, lineSchema } from './line-schema';

// The line's shape lives beside the store; importers keep naming it from here.
export { type Line, lineSchema, providerKindSchema } from './line-schema';

/** Number → line routes one process remembers at most. */
const MAX_ROUTES = 10_000;
/** A line's last-webhook time is shown to the second: one process writes it at most this often. */
const WEBHOOK_MARK_EVERY_MS = 1000;

/**
 * Lines per portal, plus a global phone_number_id → line index for webhooks. A portal's decrypted
 * lines are kept in process while its config version holds (every add/remove sets a new one).
 */
export class LineStore {
  private readonly cache: ConfigCache;
  /**
   * phone_number_id → `memberId|lineId` routes this process has read, for the config cache's time
   * (5 s). One is used only while its portal still lists that line with that number (the lines are
   * read under the portal's config version), and a removal drops the line (a new version) before its
   * route: a removed line is never served from here. The index is read again after that time, so a
   * route changed another way (two adds that raced, a hand repair) is seen within it.
   */
  private readonly routes: RecentMap<string, string>;
  /** Lines whose webhook time this process wrote less than WEBHOOK_MARK_EVERY_MS ago, with the time written. */
  private readonly webhookMarked = new RecentMap<string, number>({
    maxEntries: MAX_ROUTES,
    ttlMs: WEBHOOK_MARK_EVERY_MS,
  });

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly box: SecretBox,
    cache?: ConfigCache,
  ) {
    this.cache = cache ?? new ConfigCache(redis, keys);
    this.routes = new RecentMap({ maxEntries: MAX_ROUTES, ttlMs: this.cache.ttlMs });
  }

  /**
   * Stores a line and makes its number's route its own. The number has one owner across portals: the
   * route is claimed by a script only from the holder checked here, after the line is written (so a
   * claimed route always names a line that exists, never one a reader takes for stale). Of two adds
   * of one number that raced, the later claim finds the other's route and its line is taken back.
   * `ifStillAs`: written only while the stored line is still that one (null: while there is none),
   * else 422 line_changed and nothing is written: a read-modify-write (a re-add, a rename, a rate)
   * never puts back what another change replaced meanwhile (the settings page, the CLI, a removal).
   */
  async add(line: Line, options: { ifStillAs?: Line | null } = {}): Promise<void> {
    const route = this.keys.lineByNumber(line.phoneNumberId);
    const ours = `${line.memberId}|${line.id}`;
    const onlyIf = options.ifStillAs === undefined ? undefined : await this.sealedIfStillAs(line, options.ifStillAs);
    const checked = await this.freeHolder(route, line);
    const parsed = lineSchema.parse(line);
    const sealed = JSON.stringify({
      ...parsed,
      accessToken: this.box.seal(parsed.accessToken),
      webhookToken: parsed.webhookToken === undefined ? undefined : this.box.seal(parsed.webhookToken),
    });
    // The portal's lines (with its config version: one slot, one script that answers what it
    // replaced) and the global number → line route live in different cluster slots: the line first,
    // its route last; `lines add` run again after an interruption completes it.
    const keys = { lines: this.keys.lines(line.memberId), version: this.keys.configVersion(line.memberId) };
    const write = { id: line.id, value: sealed, version: newConfigVersion(), onlyIf };
    const written = await lineScripts.writeLine(this.redis, keys, write);
    if (!written) throw changed(line.id);
    const { replaced } = written;
    await this.claimRoute(line, checked).catch(async (error: unknown) => {
      // Lost the number's race: the line goes back to what it was, only while it is still as written.
      const back = { id: line.id, value: replaced ?? '', version: newConfigVersion(), onlyIf: sealed };
      await lineScripts.writeLine(this.redis, keys, back);
      throw error;
    });
    // Template webhooks name the account, not the number: the account's lines are found here.
    if (line.wabaId) await this.redis.sadd(this.keys.linesByWaba(line.wabaId), ours);
  }

  /**
   * The stored value of `line`'s id when it is still `expected` (null: '' none stored), for the
   * write's own check (line-write-2.lua); else line_changed. Compared opened, as the schema spells
   * them: a sealed secret is sealed anew on every write.
   */
  private async sealedIfStillAs(line: Line, expected: Line | null): Promise<string | null> {
    const raw = await this.redis.hget(this.keys.lines(line.memberId), line.id);
    const stored = raw === null ? null : this.open(raw);
    const same = (a: Line | null) => (a === null ? null : JSON.stringify(lineSchema.parse(a)));
    if (same(stored) !== same(expected)) throw changed(line.id);
    return raw;
  }

  /** The route's holder when the number is free for `line` ('' none, stale, itself); else line_conflict. */
  private async freeHolder(route: string, line: Line): Promise<string> {
    const owner = await this.redis.get(route);
    // A route to a line that is gone or has another number (a removal cut short, a line given a new
    // number) is stale, as for findByPhoneNumberId: the number is free.
    if (owner && owner !== `${line.memberId}|${line.id}` && (await this.lineOfRoute(owner, line.phoneNumberId)))
      throw conflict(line.phoneNumberId, owner.split('|')[1] ?? '');
    return owner ?? '';
  }

  /**
   * Claims the route from the holder checked; when another took it meanwhile, checks that one (a
   * live line: line_conflict naming it) and claims from it if it is stale, a few times at most.
   */
  private async claimRoute(line: Line, checked: string): Promise<void> {
    const route = this.keys.lineByNumber(line.phoneNumberId);
    let holder = checked;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      if (await scripts.claimLineRoute(this.redis, route, holder, `${line.memberId}|${line.id}`)) return;
      holder = await this.freeHolder(route, line);
    }
    throw conflict(line.phoneNumberId, '');
  }

  /** The lines whose WhatsApp Business Account is `wabaId` (template webhooks). */
  async findByWabaId(wabaId: string): Promise<Line[]> {
    const owners = await this.redis.smembers(this.keys.linesByWaba(wabaId));
    const found: Line[] = [];
    for (const owner of owners) {
      const [memberId, lineId] = owner.split('|');
      const line = memberId && lineId ? await this.get(memberId, lineId) : null;
      if (line?.wabaId === wabaId) found.push(line);
    }
    return found;
  }

  /** `version`: as for `list`. */
  async get(memberId: string, lineId: string, version?: string | null): Promise<Line | null> {
    return (await this.list(memberId, version)).find((line) => line.id === lineId) ?? null;
  }

  /**
   * Lines of a portal, oldest first: the first one is the default. `version`: the portal's config
   * version the caller read just before (PortalStore.configVersion; default: read now). The lines
   * read are kept under it, so it should be that recent: under a version held since a job's start
   * (older than the lines read now), callers holding the current one would not find them and read
   * again (PortalStore.get keeps its record under the version read with it for that reason).
   */
  async list(memberId: string, version?: string | null): Promise<Line[]> {
    if (version === undefined) version = await this.cache.version(memberId);
    const slot = `lines:${memberId}`;
    const known = this.cache.lookup<Line[]>(slot, version);
    // Copies: callers may change what they get.
    if (known) return known.map((line) => ({ ...line }));
    const all = await this.redis.hvals(this.keys.lines(memberId));
    const lines = all
      .map((raw) => this.open(raw))
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    this.cache.store(slot, version, lines);
    return lines.map((line) => ({ ...line }));
  }

  /**
   * The line a webhook's number belongs to: the one the number index names, if it still has that
   * number (read under its portal's config version), else none; remembered for a few seconds (see
   * `routes`). `fresh`: the index is read now (a line being connected is checked against it).
   * `versionOf`: the config version of a portal the caller read just before (see rememberedOwner),
   * used when the remembered route names that portal (else the version is read here, as without it).
   * `route`: the remembered route that read was made under, checked in place of the one remembered
   * now (it may have lapsed in between, and the index may name another line by then): the line found
   * is then the one the caller's read was for, or (a stale route) the index's.
   */
  async findByPhoneNumberId(
    phoneNumberId: string,
    options: {
      fresh?: boolean;
      versionOf?: { memberId: string; version: string | null };
      route?: { memberId: string; lineId: string };
    } = {},
  ): Promise<Line | null> {
    const now = this.cache.clock.now();
    const pinned = options.route && `${options.route.memberId}|${options.route.lineId}`;
    const known = options.fresh ? undefined : (pinned ?? this.routes.get(phoneNumberId, now));
    const line = known ? await this.lineOfRoute(known, phoneNumberId, options.versionOf) : null;
    if (line) return line;
    this.routes.delete(phoneNumberId);
    const owner = await this.redis.get(this.keys.lineByNumber(phoneNumberId));
    const found = owner ? await this.lineOfRoute(owner, phoneNumberId) : null;
    if (owner && found) this.routes.set(phoneNumberId, owner, now);
    return found;
  }

  /**
   * The portal and line this process remembers a number's route to, without reading anything (so
   * possibly stale: findByPhoneNumberId checks it). A caller reading one of that portal's keys
   * anyway reads its config version in the same round trip and passes it to findByPhoneNumberId.
   */
  rememberedOwner(phoneNumberId: string): { memberId: string; lineId: string } | undefined {
    const [memberId, lineId] = this.routes.get(phoneNumberId, this.cache.clock.now())?.split('|') ?? [];
    return memberId && lineId ? { memberId, lineId } : undefined;
  }

  /**
   * rememberedOwner's line as this process's copy of the portal's lines has it, with the config
   * version that copy was taken under, without reading anything: right only while that is still the
   * portal's version (a caller checks it in the step that uses the line: inbound-first-read-6.lua).
   */
  rememberedLine(phoneNumberId: string): { line: Line; version: string } | undefined {
    const owner = this.rememberedOwner(phoneNumberId);
    const copy = owner ? this.cache.peek<Line[]>(`lines:${owner.memberId}`) : undefined;
    const line = copy?.value.find((l) => l.id === owner?.lineId && l.phoneNumberId === phoneNumberId);
    return copy && line ? { line: { ...line }, version: copy.version } : undefined;
  }

  /** The line a route names, if it still has that number (a stale route names a removed or renumbered line). */
  private async lineOfRoute(
    owner: string,
    phoneNumberId: string,
    versionOf?: { memberId: string; version: string | null },
  ): Promise<Line | null> {
    const [memberId, lineId] = owner.split('|');
    const version = versionOf && versionOf.memberId === memberId ? versionOf.version : undefined;
    const line = memberId && lineId ? await this.get(memberId, lineId, version) : null;
    return line?.phoneNumberId === phoneNumberId ? line : null;
  }

  async remove(memberId: string, lineId: string): Promise<boolean> {
    const line = await this.get(memberId, lineId);
    if (!line) return false;
    // The line first, with its webhook time and a new config version: every process stops serving it
    // at once, by a remembered route or the index. Then its account entry and route (other slots); a
    // removal cut short leaves a route to no line, stale for every reader and for `add`.
    await this.redis
      .multi()
      .hdel(this.keys.lines(memberId), lineId)
      .hdel(this.keys.lineWebhookAt(memberId), lineId)
      .set(this.keys.configVersion(memberId), newConfigVersion())
      .exec();
    const owner = `${memberId}|${lineId}`;
    if (line.wabaId) await this.redis.srem(this.keys.linesByWaba(line.wabaId), owner);
    // Only while it is still this line's: the number may be another's by now.
    const route = this.keys.lineByNumber(line.phoneNumberId);
    if (await scripts.deleteIfUnchanged(this.redis, route, owner)) await this.keepIfSavedAgain(line, route);
    return true;
  }

  /**
   * A save of the same line (rename, rate) that raced the removal wrote the line back and then its
   * route, and that route looks the same as the removed one's. The line is read after the delete: a
   * save whose line write came before this read gets its route (and account entry) back here; one that
   * came after writes its route after the delete itself. So a listed line never ends up without a route.
   */
  private async keepIfSavedAgain(removed: Line, route: string): Promise<void> {
    const raw = await this.redis.hget(this.keys.lines(removed.memberId), removed.id);
    const saved = raw === null ? null : lineSchema.parse(JSON.parse(raw));
    if (saved?.phoneNumberId !== removed.phoneNumberId) return;
    const owner = `${removed.memberId}|${removed.id}`;
    // NX: a route another line took meanwhile stays (its add checked this line's first).
    await this.redis.set(route, owner, 'NX');
    if (saved.wabaId) await this.redis.sadd(this.keys.linesByWaba(saved.wabaId), owner);
  }

  /**
   * Notes that a webhook for the line arrived (one field write; checkStatus and the settings page
   * show it, to the second): at most once a second per process, not once per message of a busy line.
   * Skipped only within a second after the time this process wrote: a retried job's old `at` written
   * first does not hold back the newer ones. The write keeps the newest time (a max in one script, not
   * a plain HSET): an old `at` of a retried job, or of another process, never replaces a newer one.
   */
  async markWebhook(memberId: string, lineId: string, at: number): Promise<void> {
    const now = this.cache.clock.now();
    const slot = `${memberId}|${lineId}`;
    const written = this.webhookMarked.get(slot, now);
    if (written !== undefined && at < written + WEBHOOK_MARK_EVERY_MS) return;
    await scripts.writeFieldMax(this.redis, this.keys.lineWebhookAt(memberId), lineId, at);
    this.webhookMarked.set(slot, at, now);
  }

  /** When the line's last webhook arrived (ms), if one has. */
  async lastWebhookAt(memberId: string, lineId: string): Promise<number | undefined> {
    const at = await this.redis.hget(this.keys.lineWebhookAt(memberId), lineId);
    return at === null ? undefined : Number(at);
  }

  async removeAll(memberId: string): Promise<void> {
    for (const line of await this.list(memberId)) await this.remove(memberId, line.id);
  }

  private open(raw: string): Line {
    const sealed = lineSchema.parse(JSON.parse(raw));
    return {
      ...sealed,
      accessToken: this.box.open(sealed.accessToken),
      webhookToken: sealed.webhookToken === undefined ? undefined : this.box.open(sealed.webhookToken),
    };
  }
}
