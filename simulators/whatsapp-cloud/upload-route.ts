/** `POST /:version/:phoneNumberId/media` (waba-wire.md §4): multipart upload, strictly; the answer is a media id. */
import type { Request, Response } from 'express';
import { randomDigits } from '../shared/random';
import { graphError, invalidParam } from './errors';
import type { CloudState } from './state';

const PATH_RE = /^\/(v\d+\.\d+)\/(\d+)\/media\/?$/;

/** Phone number id of a `POST /{phone-number-id}/media` path, or undefined. */
export function uploadPathId(path: string): string | undefined {
  return PATH_RE.exec(path)?.[2];
}

/** Per MIME type, the largest file Meta takes (waba-wire.md §4; a sticker: the animated limit). */
const LIMITS: Record<string, number> = {
  'image/jpeg': 5 * 2 ** 20,
  'image/png': 5 * 2 ** 20,
  'image/webp': 500 * 2 ** 10,
  'video/mp4': 16 * 2 ** 20,
  'video/3gpp': 16 * 2 ** 20,
  'audio/aac': 16 * 2 ** 20,
  'audio/amr': 16 * 2 ** 20,
  'audio/mpeg': 16 * 2 ** 20,
  'audio/mp4': 16 * 2 ** 20,
  'audio/ogg': 16 * 2 ** 20,
  'text/plain': 100 * 2 ** 20,
  'application/pdf': 100 * 2 ** 20,
  'application/msword': 100 * 2 ** 20,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 100 * 2 ** 20,
  'application/vnd.ms-excel': 100 * 2 ** 20,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 100 * 2 ** 20,
  'application/vnd.ms-powerpoint': 100 * 2 ** 20,
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 100 * 2 ** 20,
};

/** An uploaded file the simulator keeps (its id sends it). */
export interface UploadedMedia {
  id: string;
  phoneNumberId: string;
  mimeType: string;
  filename: string;
  size: number;
}

/** Handles one upload: the number's token, a multipart body with `messaging_product`, `type` and `file`. */
export async function handleUpload(
  state: CloudState,
  phoneNumberId: string,
  req: Request,
  res: Response,
): Promise<void> {
  const auth = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1]?.trim();
  const phone = state.phones.get(phoneNumberId);
  const answer = (e: ReturnType<typeof graphError>) => void res.status(e.status).json(e.body);
  if (!auth || ![...state.phones.values()].some((p) => p.accessToken === auth))
    return answer(
      graphError(190, 401, {
        message: 'Error validating access token: Session has expired or the access token is invalid.',
      }),
    );
  if (!phone || phone.accessToken !== auth)
    return answer(graphError(100, 400, { details: `Unknown phone number ${phoneNumberId}` }));
  const type = String(req.headers['content-type'] ?? '');
  if (!type.toLowerCase().startsWith('multipart/form-data') || !Buffer.isBuffer(req.body))
    return answer(invalidParam('The request must be multipart/form-data.'));
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(req.body), { headers: { 'content-type': type } }).formData();
  } catch {
    return answer(invalidParam('The multipart body could not be read.'));
  }
  if (form.get('messaging_product') !== 'whatsapp')
    return answer(invalidParam('Param messaging_product must be whatsapp.'));
  const file = form.get('file');
  if (!(file instanceof Blob) || !('name' in file)) return answer(invalidParam('Param file must be a file.'));
  const mimeType = String(form.get('type') ?? '');
  const limit = LIMITS[mimeType];
  if (limit === undefined)
    return answer(invalidParam(`Param type must be one of the supported media types; got "${mimeType}".`));
  if (file.type && file.type !== mimeType)
    return answer(invalidParam('Param type does not match the file part Content-Type.'));
  if (file.size > limit)
    return answer(
      graphError(131053, 400, { details: `Media file size ${file.size} exceeds ${limit} bytes for ${mimeType}.` }),
    );
  const id = randomDigits(16);
  state.uploads.set(id, { id, phoneNumberId, mimeType, filename: String(file.name), size: file.size });
  res.json({ id });
}
