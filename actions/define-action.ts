import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { PortalClient } from '../bitrix/portal-client';
import type { Clock } from '../lib/clock';
import type { Lang } from '../lib/i18n/catalogue';
import type { Logger } from '../lib/logger';
import type { MessageTemplate } from '../providers/message-template';
import type { ButtonSpec, Capability, OutboundContent, SentMessage, WhatsAppProvider } from '../providers/provider';
import type { CallInfo } from '../queues/call-info';
import type { WindowState } from '../store/customer-window-store';
import type { Line } from '../store/line-store';
import type { Portal } from '../store/portal-store';
import type { ReplyOptions } from '../waits/wait-schema';
import type { I18n, InputProperty, PropertyDescriptor } from './property';

export type InputsOf<P extends Record<string, InputProperty>> = { [K in keyof P]: z.output<P[K]['schema']> };

/** Everything an action needs, built by the worker per job. */
export interface ActionContext {
  portal: Portal;
  lang: Lang;
  bitrix: PortalClient;
  line: Line;
  provider: WhatsAppProvider;
  call: CallInfo;
  log: Logger;
  clock: Clock;
  /** A phone in E.164 form (`+79161234567`) by the portal's region, or null when it is not one. */
  normalizePhone(raw: string): string | null;
  /** Why the app must not fetch `url` (the address policy, ALLOW_PRIVATE_ADDRESSES), or undefined. */
  urlRefusal(url: string): Promise<string | undefined>;
  /** The pool that applies the address policy again when connecting (undefined: the default pool). */
  urlDispatcher: Dispatcher | undefined;
  /** The customer's phone (E.164 digits); resolves the CRM contact when not given. */
  recipient(explicit: string | undefined): Promise<string>;
  /**
   * Sends one message through the line's rate limit. `step` numbers the messages of one
   * call, so a retried job never sends the same step twice.
   */
  /**
   * `wait`: the (already opened) wait this message belongs to, linked in the same step that records
   * the send (a later `waits.attach` of the same message then costs nothing).
   */
  send(
    content: OutboundContent,
    options?: {
      step?: number;
      replyTo?: string;
      to?: string;
      wait?: string;
      /**
       * The template to send if WhatsApp refuses the message later for the closed window (131047
       * after acceptance): saved before the send. When the refusal beat the send's record, the send
       * fails with `window_closed` (the caller sends the template itself).
       */
      lateFallback?: Extract<OutboundContent, { type: 'template' }>;
    },
  ): Promise<SentMessage>;
  /**
   * A provider request other than a send (edit, delete, forward): inside the line's rate limit,
   * and at most once per call and step — a retried job gets the remembered result back.
   */
  once(step: number, request: () => Promise<string>): Promise<string>;
  /** What `once(step)` remembered from an earlier attempt of the call, or null (nothing run yet). */
  remembered(step: number): Promise<string | null>;
  /** A decision an earlier attempt of the call remembered under `key` (null: none yet). */
  decision(key: string): Promise<string | null>;
  /** Remembers a decision of the call for its retries (a later one under the same key replaces it). */
  rememberDecision(key: string, value: string): Promise<void>;
  /**
   * What an earlier attempt of the call left at send step `step` (`wait`: the wait holding it):
   * `new` nothing, `message` sent (or may have been), `refused` sent and refused for the window
   * (131047: nothing reached the customer), `template` a late fallback template went instead;
   * `messageId` what went ('' when nothing or not known).
   */
  stepTaken(
    step: number,
    wait?: string,
  ): Promise<{ state: 'new' | 'message' | 'refused' | 'template'; messageId: string }>;
  /** The recipient's 24-hour window on the line, by the injected clock (`open: null`: not known). */
  customerWindow(): Promise<WindowState>;
  /** The line's template by name and language; `unknown` when the line cannot list its templates. */
  findTemplate(name: string, language: string): Promise<MessageTemplate | null | 'unknown'>;
  waits: {
    /** Stores the wait (before sending) and returns button ids that name it; waitId '' = cannot wait (the run does not wait for results). */
    openReply(request: ReplyWaitRequest): Promise<{ waitId: string; buttons: ButtonSpec[] }>;
    /** Links the sent message to the wait; its return values are merged into the outcome's. */
    attach(waitId: string, messageId: string, baseReturn: Record<string, string>): Promise<void>;
  };
}

/** What an action reports to the robot/activity. */
export interface ActionOutput {
  returnValues: Record<string, string>;
  logMessage: string;
  /** A wait will report later (reply, delivery, time-out, cancel): no callback now. */
  pending?: boolean;
}

/** Opening a wait for the customer's reply, before the message leaves. */
export interface ReplyWaitRequest {
  buttons: Array<{ title: string }>;
  options: ReplyOptions;
  timeoutMs: number;
}

/** One action of the catalogue; robots/ and activities/ derive their registrations from it. */
export interface ActionDefinition<P extends Record<string, InputProperty> = Record<string, InputProperty>> {
  /** Base code: the robot is registered as `wa_<code>`, the activity as `wa_<code>_bp`. */
  code: string;
  title: I18n;
  description: I18n;
  properties: P;
  returns: Record<string, PropertyDescriptor>;
  /** Provider capabilities the action needs (checked before sending). */
  needs: Capability[];
  /**
   * URLs the action would hand to someone to fetch (a provider downloading a file), each with the
   * property (and line of a multi-line one) it came from: the worker checks them all against the
   * address policy before anything is sent.
   */
  urlsOf?(input: InputsOf<P>): Array<{ property: string; line?: number; url: string }>;
  run(ctx: ActionContext, input: InputsOf<P>): Promise<ActionOutput>;
}

/** Keeps the property types when declaring an action. */
export function defineAction<P extends Record<string, InputProperty>>(
  definition: ActionDefinition<P>,
): ActionDefinition<P> {
  return definition;
}

/** Any action, for the catalogue list. */
export type AnyAction = ActionDefinition<Record<string, InputProperty>>;

/**
 * An action as a catalogue entry. Sound because the worker parses every input with the action's
 * own property schemas before `run` sees it; TypeScript cannot follow that link through the list.
 */
export function catalogueEntry<P extends Record<string, InputProperty>>(definition: ActionDefinition<P>): AnyAction {
  return definition as unknown as AnyAction;
}
