import type { LookupAll } from '../../lib/address-policy';

/** A resolver that answers from a table (tests do no DNS); a string answer is that error code. */
export const dnsTable =
  (answers: Record<string, string[] | string>): LookupAll =>
  async (host) => {
    const answer = answers[host];
    if (answer === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    if (typeof answer === 'string') throw Object.assign(new Error(`getaddrinfo ${answer} ${host}`), { code: answer });
    return answer;
  };
