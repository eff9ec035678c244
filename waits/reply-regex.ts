import { RE2JS } from 're2js';

/**
 * A robot's reply pattern, run by RE2 (re2js, pure JS): matching takes time linear in the text
 * whatever the pattern, so a pattern such as `^(\w+\s?)+$` cannot hold a worker (JavaScript's own
 * engine backtracks exponentially on it). RE2 has no lookaround and no backreferences: such a
 * pattern fails to compile, and the robot's settings are refused with the catalogue's words.
 * Case-insensitive with Unicode case folding, as the `iu` flags were.
 */
export function compileReplyRegex(pattern: string): RE2JS {
  return RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
}

/** The first group of the first match (or the whole match when there is no group), or null. */
export function firstMatch(pattern: string, text: string): string | null {
  const matcher = compileReplyRegex(pattern).matcher(text);
  if (!matcher.find()) return null;
  const group = matcher.groupCount() >= 1 ? matcher.group(1) : null;
  return group ?? matcher.group(0) ?? '';
}
