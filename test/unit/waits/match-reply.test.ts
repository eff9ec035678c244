import { replyOptionsFromInputs } from '../../../actions/reply-options';
import { matchReply, parseKeywords } from '../../../waits/match-reply';
import { replyOptionsSchema } from '../../../waits/wait-schema';

const buttons = [
  { id: 'w:x:1', title: 'Да' },
  { id: 'w:x:2', title: 'Нет' },
  { id: 'w:x:3', title: 'Ещё вопрос' },
];
const mode = (m: 'button' | 'any' | 'keywords' | 'regex', extra: Record<string, unknown> = {}) =>
  replyOptionsSchema.parse({ mode: m, ...extra });

describe('matchReply', () => {
  it('a tapped button wins whatever the mode', () => {
    expect(matchReply(buttons, mode('regex', { regex: 'zzz' }), { choiceId: 'w:x:2', text: 'Нет' })).toEqual({
      matched: true,
      answer: 'Нет',
      answerIndex: 2,
      answerId: 'w:x:2',
    });
  });

  it('button mode: title (trimmed, any case, ё = е) or number', () => {
    expect(matchReply(buttons, mode('button'), { text: '  да ' })).toMatchObject({ matched: true, answerIndex: 1 });
    expect(matchReply(buttons, mode('button'), { text: 'ЕЩЁ ВОПРОС' })).toMatchObject({
      matched: true,
      answerIndex: 3,
    });
    expect(matchReply(buttons, mode('button'), { text: '2' })).toMatchObject({ matched: true, answer: 'Нет' });
    expect(matchReply(buttons, mode('button'), { text: '3.' })).toMatchObject({ matched: true, answerIndex: 3 });
    expect(matchReply(buttons, mode('button'), { text: '4' })).toEqual({ matched: false });
    expect(matchReply(buttons, mode('button'), { text: 'да, конечно' })).toEqual({ matched: false });
  });

  it('keywords mode maps a word to its answer value', () => {
    const options = mode('keywords', { keywords: parseKeywords(['да=yes', 'нет=no\nпозже']) });
    expect(matchReply(buttons, options, { text: 'Нет, спасибо' })).toMatchObject({ matched: true, answer: 'no' });
    expect(matchReply(buttons, options, { text: 'позже' })).toMatchObject({ matched: true, answer: 'позже' });
    expect(matchReply(buttons, options, { text: 'не знаю' })).toEqual({ matched: false });
  });

  it('regex mode returns the first group, or the match', () => {
    expect(matchReply([], mode('regex', { regex: '(\\d+:\\d\\d)' }), { text: 'в 9:30' })).toMatchObject({
      matched: true,
      answer: '9:30',
    });
    expect(matchReply([], mode('regex', { regex: 'ok' }), { text: 'OK!' })).toMatchObject({
      matched: true,
      answer: 'OK',
    });
  });

  it('regex mode runs in linear time: a nested quantifier cannot hold the worker (RE2, not backtracking)', () => {
    // JavaScript's engine takes hours on this (doubling per letter); RE2 answers at once.
    const nested = mode('regex', { regex: '^(\\w+\\s?)+$' });
    expect(matchReply([], nested, { text: `${'a'.repeat(60)}!` })).toEqual({ matched: false });
    expect(matchReply([], nested, { text: 'abc def' })).toMatchObject({ matched: true, answer: 'def' });
    // Case folding beyond ASCII, as the old `iu` flags did.
    expect(matchReply([], mode('regex', { regex: 'заказ\\s*(\\d+)' }), { text: 'ЗАКАЗ 4711' })).toMatchObject({
      answer: '4711',
    });
  });

  it('a pattern RE2 cannot run (lookahead, backreference) is refused with the catalogue words', () => {
    const inputs = {
      match_mode: 'regex' as const,
      keywords: [],
      reask_max: 1,
      after_reask: 'ignore' as const,
      stop_on_operator: false,
    };
    expect(() => replyOptionsFromInputs({ ...inputs, regex: '(?=a)a' })).toThrow(/lookaround/);
    expect(() => replyOptionsFromInputs({ ...inputs, regex: '(a)\\1' })).toThrow(/lookaround/);
    expect(replyOptionsFromInputs({ ...inputs, regex: '(\\d+)' }).regex).toBe('(\\d+)');
  });

  it('any mode takes any non-empty text', () => {
    expect(matchReply([], mode('any'), { text: 'hello' })).toMatchObject({ matched: true, answer: 'hello' });
    expect(matchReply([], mode('any'), { text: '  ' })).toEqual({ matched: false });
  });
});
