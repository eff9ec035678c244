import { type MessageKey, t } from '../lib/i18n/catalogue';
import type { ButtonSpec } from '../providers/provider';
import type { ReplyOptions } from '../waits/wait-schema';
import { sentReturnValues, timeoutMs } from './common-properties';
import type { ActionContext, ActionOutput } from './define-action';
import { type FreeFormSent, windowOutcome } from './window-fallback';

/** The reply-wait inputs that say whether to wait, and how long. */
interface WaitAsked {
  wait_reply: boolean;
  timeout: number;
  timeout_unit: 'minutes' | 'hours' | 'days';
}

/**
 * Opens the reply wait before the message leaves when the robot asks for one (`wait_reply`): its id
 * ('' = cannot wait) and the answer ids that name it, one per title. Null when the robot does not wait.
 */
export async function openAskedReplyWait(
  ctx: Pick<ActionContext, 'waits'>,
  input: WaitAsked,
  titles: string[],
  options: ReplyOptions,
): Promise<{ waitId: string; buttons: ButtonSpec[] } | null> {
  if (!input.wait_reply) return null;
  return ctx.waits.openReply({
    buttons: titles.map((title) => ({ title })),
    options,
    timeoutMs: timeoutMs(input.timeout, input.timeout_unit),
  });
}

/**
 * What a send that may wait reports: without a wait, the sent message's values at once; with one,
 * the message linked to the wait (its values kept there) and the run left pending for the answer.
 * The log line (`log.sent` or `log.waiting`) names the answer titles, the recipient and the message.
 */
export async function replyWaitOutcome(
  ctx: Pick<ActionContext, 'lang' | 'waits'>,
  freeForm: FreeFormSent,
  waitId: string,
  log: { sent: MessageKey; waiting: MessageKey; titles: string[]; to: string },
): Promise<ActionOutput> {
  const { sent } = freeForm;
  // A wait keeps a plain send's values in its compact form: `sent_as` is stored only for a template.
  const returnValues = {
    ...sentReturnValues(sent.providerMessageId),
    ...(freeForm.sentAs === 'template' ? { sent_as: 'template' } : {}),
  };
  const said = { titles: log.titles.join(' | '), to: log.to, id: sent.providerMessageId };
  if (!waitId) return windowOutcome(freeForm, returnValues, t(ctx.lang, log.sent, said));
  await ctx.waits.attach(waitId, sent.providerMessageId, returnValues);
  return { ...windowOutcome(freeForm, returnValues, t(ctx.lang, log.waiting, said)), pending: true };
}
