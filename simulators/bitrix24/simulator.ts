/** The Bitrix24 portal simulator: REST + OAuth on one port, CRM state, robot runs and events. */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { postForm } from '../shared/http-post';
import { serverLifecycle } from '../shared/listen';
import { encodePhpForm } from '../shared/php-form';
import { randomHex } from '../shared/random';
import { createHostPages, type OpenPageOptions, type PageOpening, pageOpening, upsertUser } from './app-page';
import {
  type CreateContactInput,
  type CreateDealInput,
  type CreateItemInput,
  type CreateLeadInput,
  dealDocumentId,
  itemDocumentId,
  leadDocumentId,
} from './crm-store';
import { handleOAuth } from './oauth';
import {
  mountOperatorFiles,
  type OperatorMessageInput,
  type OperatorMessageResult,
  operatorWrites,
} from './open-line-operator';
import type { OpenLineChat } from './open-lines';
import { deliverEvent, deliverInstallFinish, postInstall, postInstallPage, postUninstall } from './outbound';
import { restFaults } from './rest-faults';
import { handleRest, restMethodOf } from './rest-router';
import { fileValue, prepareRun, runRobot, stopRobotsOnMove, terminateWorkflow, waitForRun } from './robot-runs';
import { PortalState, type SimUser } from './state';
import type {
  BitrixPortalOptions,
  DeliveryResult,
  EventBinding,
  EventSendRecord,
  MoveOptions,
  PageInstallResult,
  PortalStats,
  PortalTokens,
  Registration,
  RestLimit,
  RobotRun,
  RunRobotOptions,
  RunRobotResult,
} from './types';

/** A running (or startable) simulated portal. */
export interface BitrixPortalSimulator {
  /** Starts on 127.0.0.1:`port` (0 = free port). */
  start(port?: number): Promise<{ url: string; port: number }>;
  /** Stops the server. */
  stop(): Promise<void>;
  /** Base URL (`http://127.0.0.1:<port>`); throws before start. */
  url(): string;
  /** The express app (for mounting extra routes in tests). */
  readonly app: Express;
  installApp(opts: { installUrl: string }): Promise<{ status: number; body: string; applicationToken: string }>;
  /**
   * Installs through the install page: POSTs the page's exact body (no application token) to
   * `installUrl`; then, unless `finish` is false, does what the page's `BX24.installFinish()` sets
   * off — ONAPPINSTALL with the application token to every handler bound to it.
   */
  installViaPage(opts: { installUrl: string; finish?: boolean }): Promise<PageInstallResult>;
  /** `BX24.installFinish()`: delivers ONAPPINSTALL to every handler bound to it. */
  installFinish(): Promise<DeliveryResult[]>;
  /** A user opens the app on an installed portal: its page gets the install page's POST again. */
  openApp(opts: { url: string }): Promise<{ status: number; body: string }>;
  /** Adds or changes a portal user (e.g. a non-admin who opens the app). */
  addUser(user: Partial<SimUser> & { id: number }): SimUser;
  /** The frame POST a user's opening of the app makes (a fresh AUTH_ID of that user). */
  pageOpening(opts: OpenPageOptions): PageOpening;
  /** POSTs a user's opening of the app's page (as a browser would) and returns the answer. */
  openPage(opts: OpenPageOptions): Promise<{ status: number; body: string }>;
  /** A portal page (GET it in a browser) that POSTs the user's opening into an iframe, once. */
  pageHostUrl(opts: OpenPageOptions): string;
  /** This portal's OAuth endpoint also exchanges `other`'s refresh tokens, as Bitrix24's one OAuth server does. */
  serveOAuthFor(other: BitrixPortalSimulator): void;
  uninstallApp(opts: { url: string; clean?: boolean }): Promise<DeliveryResult>;
  currentTokens(): PortalTokens;
  expireAccessToken(token?: string): void;
  /** Fault: answer `expired_token` to every access token, fresh ones too (a portal that needs a reinstall); false ends it. */
  refuseTokens(refusing?: boolean): void;
  setRestLimit(limit: RestLimit): void;
  stats(): PortalStats;
  robots(): Registration[];
  activities(): Registration[];
  eventBindings(): EventBinding[];
  eventSends(): EventSendRecord[];
  runs(): RobotRun[];
  runRobot(opts: RunRobotOptions): Promise<RunRobotResult>;
  /**
   * Starts a run as `runRobot` does and returns the handler POST's fields (PHP form, before encoding)
   * without sending them: for a load generator that sends many calls itself.
   */
  prepareRun(opts: RunRobotOptions): { run: RobotRun; handler: string; fields: Record<string, unknown> };
  waitForRun(target: string | ((run: RobotRun) => boolean), timeoutMs?: number): Promise<RobotRun>;
  terminateWorkflow(workflowId: string): void;
  createDeal(input?: CreateDealInput): number;
  /** Puts a file on the portal's Disk; its id is what a robot's `file` property carries. */
  addDiskFile(file: { name: string; bytes: Buffer; mimeType: string }): number;
  /** An internal `b_file` (a robot's `file` property value): its id, another space than Disk's. */
  addPortalFile(file: { name: string; bytes: Buffer; mimeType: string }): number;
  /** A portal file's download link, as a `file` value reads in the rest context (what a robot may be given as text). */
  portalFileLink(id: number): string;
  createLead(input?: CreateLeadInput): number;
  createContact(input: CreateContactInput): number;
  createItem(input: CreateItemInput): number;
  moveDeal(id: number, stageId: string, opts?: MoveOptions): Promise<DeliveryResult[]>;
  moveLead(id: number, statusId: string, opts?: MoveOptions): Promise<DeliveryResult[]>;
  moveItem(entityTypeId: number, id: number, stageId: string, opts?: MoveOptions): Promise<DeliveryResult[]>;
  /** Delivers any event to its bound handlers (token-less auth block). */
  deliverEvent(event: string, data: Record<string, unknown>): Promise<DeliveryResult[]>;
  /** A page token (AUTH_ID of a placement) of user `userId`, an administrator or not. */
  userToken(userId: number, admin: boolean): string;
  /** Creates (or renames) an open line; line 1 exists from the start. */
  addOpenLine(id: number, name?: string): void;
  /** A customer's open-line chat, if one was opened (`connector|line|chat.id`). */
  openLineChat(connector: string, line: number, chatId: string): OpenLineChat | undefined;
  /** An operator writes in a customer's chat: ONIMCONNECTORMESSAGEADD to the bound handlers. */
  operatorWrites(input: OperatorMessageInput): Promise<OperatorMessageResult>;
  /** Internal state (for advanced tests). */
  readonly state: PortalState;
}

function buildApp(state: PortalState, hostPages: ReturnType<typeof createHostPages>): Express {
  const app = express();
  app.get('/app-host/:id', (req, res) => hostPages.serve(req, res));
  app.set('query parser', 'extended');
  app.use(express.json({ limit: '20mb' }));
  app.use(express.urlencoded({ extended: true, parameterLimit: 100000, limit: '20mb' }));
  app.all(/^\/oauth\/token\/?$/, (req, res) => handleOAuth(state, req, res));
  mountOperatorFiles(app, state);
  app.use(restFaults(state));
  // A Disk file's DOWNLOAD_URL (disk.file.get), or a `file` property's link (rest context): served to a valid app token.
  app.get(/^\/rest\/download\.json$/, (req: Request, res: Response) => {
    const auth = typeof req.query.auth === 'string' ? req.query.auth : '';
    const [kind, id, secret] = (typeof req.query.token === 'string' ? req.query.token : '').split('|');
    const files = kind === 'disk' ? state.diskFiles : kind === 'bfile' ? state.portalFiles : undefined;
    const file = files?.get(Number(id));
    if (state.checkAccessToken(auth) !== 'ok') {
      res.status(401).json({ error: 'invalid_token', error_description: 'The access token provided is invalid.' });
      return;
    }
    if (!file || file.token !== secret) {
      res.status(404).json({ error: 'ERROR_NOT_FOUND', error_description: 'File not found' });
      return;
    }
    res
      .status(200)
      .type(file.mimeType)
      .setHeader('content-disposition', `attachment; filename*=utf-8''${encodeURIComponent(file.name)}`)
      .send(file.bytes);
  });
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    const method = restMethodOf(req.path);
    if (!method) return next();
    await handleRest(state, method, req, res);
  });
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'NOT_FOUND', error_description: 'Not found' });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status =
      typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    res.status(status).json({ error: 'INVALID_REQUEST', error_description: 'Invalid request' });
  });
  return app;
}

/** Creates a simulated Bitrix24 portal (REST at `<url>/rest/`, OAuth at `<url>/oauth/token/`). */
export function createBitrixPortalSimulator(options: BitrixPortalOptions): BitrixPortalSimulator {
  const state = new PortalState(options);
  const hostPages = createHostPages(state);
  const app = buildApp(state, hostPages);
  const lifecycle = serverLifecycle(app, 'Bitrix24 portal', (listening) => {
    state.url = listening.url;
  });

  const move = async (
    documentId: [string, string, string],
    previous: string,
    next: string,
    event: string,
    fields: Record<string, string>,
    opts?: MoveOptions,
  ) => {
    if (previous !== next) stopRobotsOnMove(state, documentId, previous);
    if (opts?.deliverEvent === false) return [];
    return deliverEvent(state, event, { FIELDS: fields });
  };

  return {
    app,
    state,
    start: lifecycle.start,
    stop: lifecycle.stop,
    url: () => state.baseUrl(),
    async installApp({ installUrl }) {
      state.installed = true;
      state.applicationToken = randomHex(32);
      const tokens = state.issueTokens();
      const res = await postInstall(state, installUrl, tokens);
      return { status: res.status, body: res.body, applicationToken: state.applicationToken };
    },
    async installViaPage({ installUrl, finish = true }) {
      state.installed = true;
      state.installFinished = false;
      state.applicationToken = randomHex(32);
      const page = await postInstallPage(state, installUrl, state.issueTokens());
      // The page calls installFinish only once it has loaded, i.e. after a successful answer.
      const installEvents = finish && page.status === 200 ? await deliverInstallFinish(state) : [];
      return { status: page.status, body: page.body, applicationToken: state.applicationToken, installEvents };
    },
    installFinish: () => deliverInstallFinish(state),
    async openApp({ url }) {
      // A user opening the app's page on an installed portal: the same POST as the install page.
      const page = await postInstallPage(state, url, state.issueTokens());
      return { status: page.status, body: page.body };
    },
    addUser: (user) => upsertUser(state, user),
    pageOpening: (opts) => pageOpening(state, opts),
    async openPage(opts) {
      const opening = pageOpening(state, opts);
      const res = await postForm(opening.url, encodePhpForm(opening.fields));
      return { status: res.status, body: res.body };
    },
    pageHostUrl: (opts) => hostPages.prepare(opts),
    serveOAuthFor(other) {
      state.oauthPeers.push(other.state);
    },
    async uninstallApp({ url, clean = true }) {
      const res = await postUninstall(state, url, clean);
      state.installed = false;
      state.registrations.clear();
      state.bindings = [];
      state.revokeAll();
      return res;
    },
    currentTokens: () => ({ ...state.tokens() }),
    expireAccessToken(token) {
      state.expireAccessToken(token ?? state.tokens().accessToken);
    },
    refuseTokens(refusing = true) {
      state.refusingTokens = refusing;
    },
    setRestLimit: (limit) => state.bucket.setLimit(limit),
    // Plain numbers and records: a deep copy, so a test's snapshot never moves with the portal.
    stats: () => structuredClone(state.stats),
    robots: () => [...state.registrations.values()].filter((r) => r.kind === 'robot'),
    activities: () => [...state.registrations.values()].filter((r) => r.kind === 'activity'),
    eventBindings: () => [...state.bindings],
    eventSends: () => [...state.eventSends],
    runs: () => [...state.runs],
    runRobot: (opts) => runRobot(state, opts),
    prepareRun: (opts) => prepareRun(state, opts),
    waitForRun: (target, timeoutMs) => waitForRun(state, target, timeoutMs),
    terminateWorkflow: (workflowId) => terminateWorkflow(state, workflowId),
    createDeal: (input = {}) => state.crm.createDeal(input),
    addDiskFile: (file) => state.addFile(state.diskFiles, file),
    addPortalFile: (file) => state.addFile(state.portalFiles, file),
    portalFileLink: (id) => fileValue(state, String(id), 'rest'),
    createLead: (input = {}) => state.crm.createLead(input),
    createContact: (input) => state.crm.createContact(input),
    createItem: (input) => state.crm.createItem(input),
    async moveDeal(id, stageId, opts) {
      const deal = state.crm.deals.get(id);
      if (!deal) throw new Error(`No deal ${id}`);
      const previous = deal.stageId;
      deal.stageId = stageId;
      return move(dealDocumentId(id), previous, stageId, 'ONCRMDEALUPDATE', { ID: String(id) }, opts);
    },
    async moveLead(id, statusId, opts) {
      const lead = state.crm.leads.get(id);
      if (!lead) throw new Error(`No lead ${id}`);
      const previous = lead.statusId;
      lead.statusId = statusId;
      return move(leadDocumentId(id), previous, statusId, 'ONCRMLEADUPDATE', { ID: String(id) }, opts);
    },
    async moveItem(entityTypeId, id, stageId, opts) {
      const item = state.crm.item(entityTypeId, id);
      if (!item) throw new Error(`No item ${entityTypeId}/${id}`);
      const previous = item.stageId;
      item.stageId = stageId;
      return move(
        itemDocumentId(entityTypeId, id),
        previous,
        stageId,
        'ONCRMDYNAMICITEMUPDATE',
        { ID: String(id), ENTITY_TYPE_ID: String(entityTypeId) },
        opts,
      );
    },
    deliverEvent: (event, data) => deliverEvent(state, event.toUpperCase(), data),
    userToken: (userId, admin) => state.issueUserToken(userId, admin),
    addOpenLine: (id, name) => void state.openLines.lines.set(id, name ?? `Open line ${id}`),
    openLineChat: (connector, line, chatId) =>
      state.openLines.chats.get(state.openLines.chatKey(connector, line, chatId)),
    operatorWrites: (input) => operatorWrites(state, input),
  };
}
