import { firstMatch } from './reply-regex';
import type { ReplyOptions } from './wait-schema';

export interface ReplyInput {
  /** Button/list reply id or template payload, if the customer tapped one. */
  choiceId?: string;
  text: string;
  /** The WhatsApp message type (text, image, location…): in "any" mode a photo answers too. */
  type?: string;
}

/** Longest customer text a user regex runs on (a pathological pattern must not block a worker for long). */
export const REGEX_INPUT_MAX = 1000;

export type ReplyMatch = { matched: true; answer: string; answerIndex: number; answerId: string } | { matched: false };

const fold = (s: string) => s.trim().toLocaleLowerCase('ru-RU').replace(/ё/g, 'е');

/**
 * Decides whether a customer message answers a wait: a tapped button, a button's title or
 * number, a keyword, a regex, or anything (per the wait's mode). Pure; no I/O.
 */
export function matchReply(
  buttons: Array<{ id: string; title: string }>,
  options: ReplyOptions,
  reply: ReplyInput,
): ReplyMatch {
  const byButton = (index: number): ReplyMatch => {
    const button = buttons[index];
    return button
      ? { matched: true, answer: button.title, answerIndex: index + 1, answerId: button.id }
      : { matched: false };
  };
  if (reply.choiceId) {
    const tapped = byButton(buttons.findIndex((b) => b.id === reply.choiceId));
    if (tapped.matched) return tapped;
  }
  const text = fold(reply.text);
  if (options.mode === 'any') {
    if (reply.text.trim()) return { matched: true, answer: reply.text.trim(), answerIndex: 0, answerId: '' };
    return reply.type && reply.type !== 'text'
      ? { matched: true, answer: `[${reply.type}]`, answerIndex: 0, answerId: '' }
      : { matched: false };
  }
  if (options.mode === 'button') {
    const byTitle = buttons.findIndex((b) => fold(b.title) === text);
    const byNumber = /^\d{1,2}[.)]?$/.test(text) ? Number.parseInt(text, 10) - 1 : -1;
    return byButton(byTitle >= 0 ? byTitle : byNumber);
  }
  if (options.mode === 'keywords') {
    const index = options.keywords.findIndex(
      (k) => text === fold(k.keyword) || text.split(/[^\p{L}\p{N}]+/u).includes(fold(k.keyword)),
    );
    const keyword = options.keywords[index];
    return keyword
      ? { matched: true, answer: keyword.answer, answerIndex: index + 1, answerId: '' }
      : { matched: false };
  }
  try {
    const answer = firstMatch(options.regex, reply.text.trim().slice(0, REGEX_INPUT_MAX));
    if (answer === null) return { matched: false };
    return { matched: true, answer, answerIndex: 0, answerId: '' };
  } catch {
    return { matched: false };
  }
}

/** Parses "keyword=answer" lines (answer defaults to the keyword). */
export function parseKeywords(lines: string[]): Array<{ keyword: string; answer: string }> {
  return lines
    .flatMap((line) => line.split(/\r?\n/))
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword = '', ...rest] = line.split('=');
      const answer = rest.join('=').trim();
      return { keyword: keyword.trim(), answer: answer || keyword.trim() };
    });
}
