/** Public types of the Bitrix24 portal simulator. */

/** Options of `createBitrixPortalSimulator`. */
export interface BitrixPortalOptions {
  clientId: string;
  clientSecret: string;
  memberId?: string;
  domain?: string;
  languageId?: 'ru' | 'en';
  restLimit?: RestLimit;
  /** The REST limit's time source (default the real clock): a test moves it by hand to see the drain. */
  restLimitNow?: () => number;
  accessTokenTtlSec?: number;
  /** The user who installs the app: its tokens, `profile` and `user.current` name this user (default 1). */
  installingUserId?: number;
  /**
   * The installing user's `profile.TIME_ZONE` (IANA name); '' (default) = "automatic", when only
   * `TIME_ZONE_OFFSET` tells the zone (portal-ui-wire.md §6).
   */
  timeZone?: string;
  /** `profile.TIME_ZONE_OFFSET` in seconds (default 10800, Moscow). */
  timeZoneOffsetSec?: number;
  /**
   * The OAuth scopes the app was granted (default every scope the app asks for); a method of a
   * scope not granted answers 401 `insufficient_scope`, as a real portal does.
   */
  scope?: string[];
}

/** Leaky-bucket settings: drain rate per second and bucket size. */
export interface RestLimit {
  drainPerSec: number;
  burst: number;
}

/** Robot (automation rule) or BP activity. */
export type ActivityKind = 'robot' | 'activity';

/** A stored `bizproc.robot.add` / `bizproc.activity.add` registration (top-level keys upper-cased). */
export interface Registration {
  kind: ActivityKind;
  code: string;
  handler: string;
  authUserId: number;
  useSubscription: string;
  name: unknown;
  description?: unknown;
  properties: Record<string, Record<string, unknown>>;
  returnProperties: Record<string, Record<string, unknown>>;
  documentType?: unknown;
  filter?: unknown;
  usePlacement?: string;
  placementHandler?: string;
  /** All upper-cased top-level fields as received (merged over updates). */
  fields: Record<string, unknown>;
}

/** An `event.bind` binding. */
export interface EventBinding {
  id: number;
  event: string;
  handler: string;
  authType: number;
  offline: boolean;
}

/** The token set the portal currently hands out. */
export interface PortalTokens {
  accessToken: string;
  refreshToken: string;
  expires: number;
  expiresIn: number;
  applicationToken: string;
  memberId: string;
  domain: string;
  clientEndpoint: string;
  serverEndpoint: string;
  scope: string;
  userId: number;
  status: string;
}

/** A robot / activity run started by `sim.runRobot`. */
export interface RobotRun {
  workflowId: string;
  eventToken: string;
  code: string;
  kind: ActivityKind;
  documentId: [string, string, string];
  stageAtStart?: string;
  status: 'running' | 'completed' | 'stopped';
  startedAt: number;
  returnValues?: Record<string, unknown>;
  logMessage?: string;
}

/** One recorded `bizproc.event.send` call. */
export interface EventSendRecord {
  eventToken: string;
  returnValues: Record<string, unknown>;
  ignoredKeys: string[];
  logMessage?: string;
  outcome: 'accepted' | 'ignored' | 'workflow_not_found' | 'access_denied';
  at: number;
}

/** Counters of `sim.stats()`. `byMethod` counts top-level calls and batch sub-commands. */
export interface PortalStats {
  restRequests: number;
  byMethod: Record<string, number>;
  queryLimitExceeded: number;
  refreshes: number;
  /** Every request at `/oauth/token/`, granted or refused. */
  oauthRequests: number;
  batchCalls: number;
  /** `batch` requests that reached the limiter, by the client's `user-agent` (which code path posted them). */
  batchClients: Record<string, number>;
}

/** Options of `sim.runRobot`. */
export interface RunRobotOptions {
  code: string;
  documentId: [string, string, string];
  properties?: Record<string, string | string[]>;
  /**
   * How a `file` property's value (given as `b_file` ids from `addPortalFile`) reaches the handler:
   * 'core' (default, the designer today) the id as a numeric string; 'rest' a portal download link
   * (`CRestUtil::GetFile`), portal-ui-wire.md §5.
   */
  fileContext?: 'core' | 'rest';
  kind?: ActivityKind;
  tamperApplicationToken?: string;
  eventToken?: string;
  timeoutDuration?: number;
}

/** Result of `sim.runRobot`: the handler's HTTP status (0 = unreachable) and the run. */
export interface RunRobotResult {
  httpStatus: number;
  responseBody: string;
  run: RobotRun;
}

/** Result of `sim.installViaPage`: the install page's answer, and ONAPPINSTALL's deliveries after installFinish. */
export interface PageInstallResult {
  status: number;
  body: string;
  applicationToken: string;
  /** One per handler bound to ONAPPINSTALL (empty when `finish` was false or nothing is bound). */
  installEvents: DeliveryResult[];
}

/** Result of an outbound portal POST (install / uninstall / event). */
export interface DeliveryResult {
  url: string;
  status: number;
  body: string;
}

/** Options of the CRM mutators that deliver events. */
export interface MoveOptions {
  deliverEvent?: boolean;
}
