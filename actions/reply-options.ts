import { parseKeywords } from '../waits/match-reply';
import { compileReplyRegex } from '../waits/reply-regex';
import type { ReplyOptions } from '../waits/wait-schema';
import { invalidNamed, invalidProperty } from './property-issues';
import { replyWaitProperties } from './reply-wait-properties';

const waitInputs = { properties: replyWaitProperties };
/** The answer options a wait matches: the buttons, or a list's rows. */
const answerOptions = { ru: 'Варианты ответа (кнопки или строки списка)', en: 'Answer options (buttons or list rows)' };

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
  if (new Set(titles).size !== titles.length) throw invalidNamed(answerOptions, 'prop.titles_unique');
  const keywords = parseKeywords(input.keywords);
  if (input.match_mode === 'keywords' && keywords.length === 0)
    throw invalidProperty(waitInputs, 'keywords', 'prop.required_for_keywords');
  if (input.match_mode === 'regex') {
    if (!input.regex) throw invalidProperty(waitInputs, 'regex', 'prop.required_for_regex');
    try {
      compileReplyRegex(input.regex);
    } catch {
      // The engine's own message is English: the portal user reads the catalogue's words.
      throw invalidProperty(waitInputs, 'regex', 'prop.bad_regex');
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
