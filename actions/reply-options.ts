import { ActionError } from '../lib/errors/app-error';
import { parseKeywords } from '../waits/match-reply';
import type { ReplyOptions } from '../waits/wait-schema';

/** Reply-wait inputs → options, with checks the schema cannot make alone (unique titles, a valid regex). */
export function replyOptionsFromInputs(input: {
  buttons?: string[];
  match_mode: 'button' | 'any' | 'keywords' | 'regex';
  keywords: string[];
  regex?: string;
  reask_text?: string;
  reask_max: number;
  after_reask: 'ignore' | 'end';
  stop_on_operator: boolean;
}): ReplyOptions {
  const titles = (input.buttons ?? []).map((t) => t.trim().toLowerCase());
  if (new Set(titles).size !== titles.length)
    throw new ActionError('invalid_property', 'buttons: titles must be unique');
  const keywords = parseKeywords(input.keywords);
  if (input.match_mode === 'keywords' && keywords.length === 0)
    throw new ActionError('invalid_property', 'keywords: required when "what counts as the answer" is keywords');
  if (input.match_mode === 'regex') {
    if (!input.regex)
      throw new ActionError('invalid_property', 'regex: required when "what counts as the answer" is regex');
    try {
      new RegExp(input.regex, 'iu');
    } catch (error) {
      throw new ActionError('invalid_property', `regex: ${error instanceof Error ? error.message : 'invalid'}`);
    }
  }
  return {
    mode: input.match_mode,
    keywords,
    regex: input.regex ?? '',
    reaskText: input.reask_text ?? '',
    reaskMax: input.reask_max,
    afterReask: input.after_reask,
    stopOnOperator: input.stop_on_operator,
  };
}
