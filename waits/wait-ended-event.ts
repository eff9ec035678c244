import { waitEndedEvent } from '../hooks/hook-emitter';
import type { Wait, WaitEnd } from './wait-schema';

/** The `wait.ended` outbound event of a wait ending (emitted with the claim: wait-end-10.lua). */
export function waitEndedEventOf(
  wait: Wait,
  status: WaitEnd,
  reason: string,
  outcome: { returnValues: Record<string, string> } | null,
  now: number,
) {
  const { purpose, phone, documentId, messageId } = wait;
  const returnValues = outcome?.returnValues ?? {};
  const data = {
    status,
    reason,
    purpose,
    phone,
    document_id: documentId,
    message_id: messageId,
    return_values: returnValues,
  };
  return waitEndedEvent(wait, now, data);
}
