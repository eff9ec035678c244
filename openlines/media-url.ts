import { endpoints } from '../config/endpoints';
import type { PathSigner } from '../lib/signed-url';

/** Which media a signed link names. */
export interface MediaRef {
  memberId: string;
  lineId: string;
  mediaId: string;
  /** The file name Bitrix24 stores it under (its extension decides how the chat shows it). */
  name: string;
}

/** The path of a media link (before signing): every part percent-encoded. */
export function mediaPath(ref: MediaRef): string {
  return endpoints.media
    .replace(':memberId', encodeURIComponent(ref.memberId))
    .replace(':lineId', encodeURIComponent(ref.lineId))
    .replace(':mediaId', encodeURIComponent(ref.mediaId))
    .replace(':name', encodeURIComponent(ref.name));
}

/** A short-lived link Bitrix24 fetches a customer's media from (the app streams it with the line's token). */
export function signedMediaUrl(signer: PathSigner, publicUrl: string, ref: MediaRef, nowMs: number): string {
  return `${publicUrl}${signer.sign(mediaPath(ref), nowMs)}`;
}
