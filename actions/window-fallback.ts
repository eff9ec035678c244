import { z } from 'zod';
import { ActionError } from '../lib/errors/app-error';
import { render, say, t } from '../lib/i18n/catalogue';
import { windowFallbackSchema } from '../lines/window-fallbacks';
import type { ButtonSpec, OutboundContent, SentMessage } from '../providers/provider';
import type { WindowState } from '../store/customer-window-store';
import { encodeButtonId } from '../waits/button-id';
import type { ActionContext } from './define-action';
import { uploadPortalFile } from './portal-media';
import { invalidNamed } from './property-issues';
import {
  checkTemplate,
  componentsBlind,
  componentsFor,
  mediaKindWords,
  quickReplyTitles,
  type TemplateRequest,
} from './template-message';
import { type WindowInputs, windowProperties } from './window-properties';

/** How a free-form message went: as itself, or as the fallback template because the window was closed. */
export interface FreeFormSent {
  sent: SentMessage;
  sentAs: 'message' | 'template';
  /** Robot-log line about the window ('' when nothing to say). */
  note: string;
}

/** The step the template takes after a refused message: clear of any action's own steps (files take 0…9). */
const REFUSED_STEP = 1000;

/** The `op` step of the fallback header's portal upload: clear of send_file's own steps (0…9). */
const HEADER_UPLOAD_STEP = 900;

/** A value of fallback_header_media that is a link to a file on the portal (downloaded and uploaded). */
function isPortalLink(ctx: Pick<ActionContext, 'portal'>, value: string): boolean {
  return URL.canParse(value) && new URL(value).origin === new URL(ctx.portal.clientEndpoint).origin;
}

/** A portal file as the fallback's header needs a provider that takes uploads: told whatever the window. */
export function checkFallbackMedia(ctx: Pick<ActionContext, 'portal' | 'provider'>, input: WindowInputs): void {
  const value = input.fallback_header_media;
  if (input.if_window_closed !== 'template' || !value || !isPortalLink(ctx, value)) return;
  if (ctx.provider.capabilities.has('media_upload') && ctx.provider.uploadMedia) return;
  throw new ActionError('unsupported_by_provider', `${ctx.provider.kind}: fallback_header_media from the portal`, {
    says: say('wabaMedia.uploadOnlyByLink', { provider: ctx.provider.kind }),
  });
}

/**
 * The fallback's header media as a send takes it: a portal download link is downloaded with the
 * app's auth and uploaded (once per call) when it `fits`, anything else (a public link, a media id)
 * goes as given.
 */
async function headerMediaOf(
  ctx: ActionContext,
  value: string | undefined,
  fits: (file: { name: string; kind: string }) => void,
): Promise<string | undefined> {
  if (!value) return undefined;
  if (!isPortalLink(ctx, value)) return value;
  return (await uploadPortalFile(ctx, HEADER_UPLOAD_STEP, { fileValue: value }, false, fits)).mediaId;
}

/** The value checked as a media header takes it (a media id, or an http(s) link), before anything is fetched. */
function checkMediaValue(value: string | undefined): void {
  if (!value || /^\d+$/.test(value) || (/^https?:\/\/[^/\s]+/i.test(value) && URL.canParse(value))) return;
  throw invalidNamed(windowProperties.fallback_header_media.descriptor.Name, 'window.prop.media_value', { value });
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : '');

/** The template a closed window sends instead, checked against the line's definition when it is known. */
export async function fallbackTemplate(
  ctx: ActionContext,
  input: WindowInputs,
  waitId: string,
  waitButtons: number,
): Promise<Extract<OutboundContent, { type: 'template' }>> {
  const name = input.fallback_template;
  if (!name)
    throw invalidNamed(windowProperties.fallback_template.descriptor.Name, 'window.prop.required_for_fallback');
  const found = await ctx.findTemplate(name, input.fallback_language);
  const template = found === 'unknown' ? null : checkTemplate(found, { name, language: input.fallback_language });
  checkMediaValue(input.fallback_header_media);
  const request: TemplateRequest = {
    name,
    language: input.fallback_language,
    body: input.fallback_body_params,
    header: input.fallback_header_params,
    headerMedia: input.fallback_header_media,
    headerMediaProperty: 'fallback_header_media',
    payloads: [],
    urlSuffixes: [],
  };
  // Checked with the value as given before a portal file is fetched: a template that takes no
  // media (or other parameters) refuses the call without downloading or uploading anything.
  if (template) componentsFor(template, request);
  else componentsBlind(request);
  // An uploaded file's kind is known once downloaded: it must be the header's (a PDF is no IMAGE header).
  const fits = (file: { name: string; kind: string }) => {
    if (template && file.kind !== template.headerFormat.toLowerCase())
      throw new ActionError('template_params_mismatch', '', {
        says: say('window.detail.media_kind', {
          name: file.name,
          kind: mediaKindWords(file.kind),
          format: mediaKindWords(template.headerFormat.toLowerCase()),
        }),
      });
  };
  request.headerMedia = await headerMediaOf(ctx, input.fallback_header_media, fits);
  if (!template) return { type: 'template', name, language: request.language, components: componentsBlind(request) };
  const quickReplies = quickReplyTitles(template).length;
  // The n-th quick reply answers like the robot's n-th button: more quick replies than buttons cannot be answered.
  if (waitId && quickReplies > waitButtons)
    throw new ActionError('template_params_mismatch', '', {
      says: say('window.detail.quick_replies', {
        template: name,
        count: String(quickReplies),
        answers: String(waitButtons),
      }),
    });
  const payload = waitId && waitButtons ? (n: number) => encodeButtonId(waitId, n) : undefined;
  return { type: 'template', name, language: request.language, components: componentsFor(template, request, payload) };
}

/** Why the window is closed, in the catalogue's words. */
export function closedWords(state: WindowState) {
  if (!state.lastInboundAt) return say('window.neverWrote');
  return say('window.lastWrote', { lastAt: iso(state.lastInboundAt), closedAt: iso(state.closesAt) });
}

/** Why the window is closed, as the robot log says it. */
export function closedText(ctx: Pick<ActionContext, 'lang'>, state: WindowState): string {
  return render(ctx.lang, closedWords(state));
}

/**
 * The call's decision to send the fallback template instead (`ctx.decision`), remembered before it
 * leaves: a retry sends the same template at the same step and reports it, whatever the window
 * says by then. Going as the message is not written down (no key per send): a send step taken
 * without this decision can only be the message's.
 */
const DECISION_KEY = 'window';
const decisionSchema = z.object({
  as: z.literal('template'),
  step: z.number(),
  note: z.string(),
  content: windowFallbackSchema.shape.content,
});
type Decision = z.infer<typeof decisionSchema>;

async function earlierDecision(ctx: ActionContext): Promise<Decision | null> {
  const raw = await ctx.decision(DECISION_KEY);
  if (raw === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  const decided = decisionSchema.safeParse(json);
  if (decided.success) return decided.data;
  // Written by another release: deciding afresh could send a second message, so the call stops
  // (not retried: the same value comes back on every attempt).
  throw new ActionError(
    'internal_error',
    `the window decision of an earlier attempt cannot be read: ${raw.slice(0, 200)}`,
    {
      retryable: false,
    },
  );
}

type TemplateContent = Extract<OutboundContent, { type: 'template' }>;
type FreeFormOptions = { replyTo?: string; wait?: string; waitButtons?: ButtonSpec[] };

/** One step of a free-form send (its late fallback template saved with it, if any). */
function sendStep(
  ctx: ActionContext,
  options: FreeFormOptions,
  c: OutboundContent,
  step: number,
  late?: TemplateContent,
) {
  return ctx.send(c, { replyTo: options.replyTo, wait: options.wait, step, lateFallback: late });
}

/** Sends the template a decision named. */
async function sendDecided(ctx: ActionContext, options: FreeFormOptions, decided: Decision): Promise<FreeFormSent> {
  return { sent: await sendStep(ctx, options, decided.content, decided.step), sentAs: 'template', note: decided.note };
}

/** The window is closed (or WhatsApp said so): `window_closed`, or the fallback template, decided and remembered first. */
async function sendInstead(
  ctx: ActionContext,
  input: WindowInputs,
  options: FreeFormOptions,
  state: WindowState,
  step: number,
): Promise<FreeFormSent> {
  if (input.if_window_closed !== 'template') throw new ActionError('window_closed', '', { says: closedWords(state) });
  const fallback = await fallbackTemplate(ctx, input, options.wait ?? '', options.waitButtons?.length ?? 0);
  const note = t(ctx.lang, 'window.templateInstead', { why: closedText(ctx, state), template: fallback.name });
  const decided: Decision = { as: 'template', step, note, content: fallback };
  await ctx.rememberDecision(DECISION_KEY, JSON.stringify(decided));
  return sendDecided(ctx, options, decided);
}

/**
 * Sends a free-form message, minding the 24-hour window where the provider has one: when the
 * window is known to be closed, decides before sending — `window_closed`, or the fallback template
 * (its quick replies answering `wait`'s buttons); a provider refusal (131047) takes the same way.
 * The first attempt's choice holds for its retries (the template: remembered before it leaves; the
 * message: its send step is taken), so after a change of the window `sent_as` is what went out and
 * nothing goes twice.
 */
export async function sendFreeForm(
  ctx: ActionContext,
  input: WindowInputs,
  content: OutboundContent,
  options: FreeFormOptions = {},
): Promise<FreeFormSent> {
  // Module-level helpers, not closures: this runs for every sent message (issue 10).
  if (!ctx.provider.capabilities.has('customer_window'))
    return { sent: await sendStep(ctx, options, content, 0), sentAs: 'message', note: '' };
  // Whatever the window turns out to be: the robot's settings work on this line or never.
  checkFallbackMedia(ctx, input);
  // The window first: with it comes every step of the call in one round trip (workers/call-steps.ts),
  // the decision below among them. Every caller resolved the recipient before, so reading it costs no
  // look-up, even when an earlier decision makes the window moot.
  const state = await ctx.customerWindow();
  const earlier = await earlierDecision(ctx);
  if (earlier) return sendDecided(ctx, options, earlier);
  // What an earlier attempt left stands, whatever the window says now: the message sent (or maybe
  // sent) when it was open, or the late fallback template; a message WhatsApp refused for the
  // window (a status that beat the decision) was not taken: the option applies, as at the refusal.
  const taken = await ctx.stepTaken(0, options.wait);
  if (taken.state === 'template') return { sent: { providerMessageId: taken.messageId }, sentAs: 'template', note: '' };
  if (taken.state === 'message') return { sent: await sendStep(ctx, options, content, 0), sentAs: 'message', note: '' };
  if (taken.state === 'refused') return sendInstead(ctx, input, options, state, REFUSED_STEP);
  if (state.open === false) return sendInstead(ctx, input, options, state, 0);
  // Open, the message already on its way, or not known (nothing heard yet): WhatsApp decides, maybe
  // only after accepting it. For the unknown the template is made and checked now, before anything
  // leaves, and kept for a late refusal.
  const late =
    state.open === null && input.if_window_closed === 'template'
      ? await fallbackTemplate(ctx, input, options.wait ?? '', options.waitButtons?.length ?? 0)
      : null;
  try {
    const sent = await sendStep(ctx, options, content, 0, late ?? undefined);
    return { sent, sentAs: 'message', note: '' };
  } catch (error) {
    // The provider knew better (a new line, a customer never seen): the same option applies, as a step of its own.
    if (error instanceof ActionError && error.code === 'window_closed')
      return sendInstead(ctx, input, options, state, REFUSED_STEP);
    throw error;
  }
}

/** Return values and log line of a free-form send, with how it went (message or template) and why. */
export function windowOutcome(
  freeForm: FreeFormSent,
  returnValues: Record<string, string>,
  logMessage: string,
): { returnValues: Record<string, string>; logMessage: string } {
  return {
    returnValues: { ...returnValues, sent_as: freeForm.sentAs },
    logMessage: freeForm.note ? `${logMessage}; ${freeForm.note}` : logMessage,
  };
}
