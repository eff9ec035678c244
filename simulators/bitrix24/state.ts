/** The mutable state of one simulated portal. */
import { randomHex } from '../shared/random';
import { CrmStore } from './crm-store';
import { LeakyBucket } from './leaky-bucket';
import { OpenLinesState } from './open-lines';
import { oauthToken } from './tokens';
import type {
  BitrixPortalOptions,
  EventBinding,
  EventSendRecord,
  PortalStats,
  PortalTokens,
  Registration,
  RobotRun,
} from './types';

/** Options with defaults applied. */
export interface ResolvedOptions {
  clientId: string;
  clientSecret: string;
  memberId: string;
  domain: string;
  languageId: 'ru' | 'en';
  accessTokenTtlSec: number;
  installingUserId: number;
  timeZone: string;
  timeZoneOffsetSec: number;
}

/** A portal user the simulator knows (the installing user is one, an admin). */
export interface SimUser {
  id: number;
  admin: boolean;
  name: string;
  lastName: string;
  active: boolean;
}

interface AccessTokenInfo {
  expiresAt: number;
  expired: boolean;
}

/** Everything the portal remembers; shared by the REST methods, OAuth and the test API. */
export class PortalState {
  readonly opts: ResolvedOptions;
  readonly bucket: LeakyBucket;
  readonly crm = new CrmStore();
  readonly openLines = new OpenLinesState();
  /** Secret used to sign event tokens. */
  readonly signSecret = randomHex(64);
  /** Disk files (`disk.file.get`), with the secret part of their download token. */
  readonly diskFiles = new Map<number, { name: string; bytes: Buffer; mimeType: string; token: string }>();
  /** The granted OAuth scopes, comma-separated (as tokens carry them). */
  readonly scope: string;
  /** Internal `b_file` rows (a robot's `file` property): another id space than Disk (portal-ui-wire.md §5). */
  readonly portalFiles = new Map<number, { name: string; bytes: Buffer; mimeType: string; token: string }>();
  url: string | undefined;
  /** Stores a file under the next id of its space (Disk or b_file), with its download token's secret. */
  addFile(files: PortalState['diskFiles'], file: { name: string; bytes: Buffer; mimeType: string }): number {
    const id = files.size + 1;
    files.set(id, { ...file, token: randomHex(16) });
    return id;
  }
  installed = true;
  /** The install completed (`installFinish`, or an API-only app's install event): app.info INSTALLED. */
  installFinished = true;
  applicationToken = randomHex(32);
  current: PortalTokens | undefined;
  readonly accessTokens = new Map<string, AccessTokenInfo>();
  readonly refreshTokens = new Set<string>();
  /** One code namespace for robots and activities. */
  readonly registrations = new Map<string, Registration>();
  bindings: EventBinding[] = [];
  nextBindingId = 1;
  readonly runs: RobotRun[] = [];
  readonly runsByToken = new Map<string, RobotRun>();
  readonly endedWorkflows = new Set<string>();
  readonly eventSends: EventSendRecord[] = [];
  readonly stats: PortalStats = {
    restRequests: 0,
    byMethod: {},
    queryLimitExceeded: 0,
    refreshes: 0,
    oauthRequests: 0,
    batchCalls: 0,
    batchClients: {},
  };
  /** Other portals whose refresh tokens this portal's OAuth endpoint also exchanges (`sim.serveOAuthFor`). */
  readonly oauthPeers: PortalState[] = [];
  /** Users by id; `profile` names the user a token was issued to. */
  readonly users = new Map<number, SimUser>();
  /** Access token → the user it belongs to (tokens not listed are the installing user's). */
  readonly tokenUsers = new Map<string, number>();
  /** Fault: every access token it issued (fresh ones too) is answered `expired_token`. */
  refusingTokens = false;
  private readonly listeners = new Set<() => void>();

  constructor(options: BitrixPortalOptions) {
    this.opts = {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      memberId: options.memberId ?? randomHex(32),
      domain: options.domain ?? 'sim-portal.bitrix24.test',
      languageId: options.languageId ?? 'ru',
      accessTokenTtlSec: options.accessTokenTtlSec ?? 3600,
      installingUserId: options.installingUserId ?? 1,
      timeZone: options.timeZone ?? '',
      timeZoneOffsetSec: options.timeZoneOffsetSec ?? 10800,
    };
    this.scope = (
      options.scope ?? ['crm', 'bizproc', 'placement', 'user_brief', 'imopenlines', 'imconnector', 'im', 'disk']
    ).join(',');
    this.bucket = new LeakyBucket(options.restLimit ?? { drainPerSec: 2, burst: 50 }, options.restLimitNow);
    const id = this.opts.installingUserId;
    this.users.set(id, { id, admin: true, name: 'Admin', lastName: 'Simulator', active: true });
  }

  /**
   * A page token of `userId` (what the portal POSTs as AUTH_ID when that user opens the app or a
   * placement). `admin` sets whether the user administers the portal (a user not known yet is added).
   */
  issueUserToken(userId: number, admin?: boolean): string {
    const known = this.users.get(userId);
    this.users.set(userId, {
      id: userId,
      admin: admin ?? known?.admin ?? false,
      name: known?.name ?? `User${userId}`,
      lastName: known?.lastName ?? 'Simulator',
      active: known?.active ?? true,
    });
    const accessToken = oauthToken();
    this.accessTokens.set(accessToken, { expiresAt: Date.now() + this.opts.accessTokenTtlSec * 1000, expired: false });
    this.tokenUsers.set(accessToken, userId);
    return accessToken;
  }

  /** The user an access token belongs to. */
  userOf(accessToken: string): SimUser | undefined {
    return this.users.get(this.tokenUsers.get(accessToken) ?? this.opts.installingUserId);
  }

  /** True when the app was granted `scope`. */
  hasScope(scope: string): boolean {
    return this.scope.split(',').includes(scope);
  }

  /** Base URL; throws before `start`. */
  baseUrl(): string {
    if (!this.url) throw new Error('Bitrix portal simulator is not started');
    return this.url;
  }

  /** Issues a fresh access + refresh token pair and makes it current. */
  issueTokens(): PortalTokens {
    const base = this.baseUrl();
    const accessToken = oauthToken();
    const refreshToken = oauthToken();
    const ttl = this.opts.accessTokenTtlSec;
    const expiresAt = Date.now() + ttl * 1000;
    this.accessTokens.set(accessToken, { expiresAt, expired: false });
    this.refreshTokens.add(refreshToken);
    this.current = {
      accessToken,
      refreshToken,
      expires: Math.floor(expiresAt / 1000),
      expiresIn: ttl,
      applicationToken: this.applicationToken,
      memberId: this.opts.memberId,
      domain: this.opts.domain,
      clientEndpoint: `${base}/rest/`,
      serverEndpoint: `${base}/rest/`,
      scope: this.scope,
      // The app's tokens are the installing user's (the install page, ONAPPINSTALL, their refreshes).
      userId: this.opts.installingUserId,
      status: 'L',
    };
    return this.current;
  }

  /** Current tokens, issuing the first set lazily. */
  tokens(): PortalTokens {
    return this.current ?? this.issueTokens();
  }

  /** 'ok', 'expired' or 'unknown' for an access token. */
  checkAccessToken(token: string): 'ok' | 'expired' | 'unknown' {
    const info = this.accessTokens.get(token);
    if (!info) return 'unknown';
    if (info.expired || this.refusingTokens || info.expiresAt <= Date.now()) return 'expired';
    return 'ok';
  }

  /** Marks an access token as expired. */
  expireAccessToken(token: string): void {
    const info = this.accessTokens.get(token);
    if (info) info.expired = true;
  }

  /** Forgets every token (uninstall). */
  revokeAll(): void {
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.current = undefined;
  }

  /** Counts one call of `method`. */
  countMethod(method: string): void {
    this.stats.byMethod[method] = (this.stats.byMethod[method] ?? 0) + 1;
  }

  /** Subscribes to run changes; returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Notifies run-change listeners. */
  changed(): void {
    for (const l of [...this.listeners]) l();
  }
}
