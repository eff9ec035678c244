import { AppError } from '../lib/errors/app-error';

/** 400 line_conflict: the number is another line's (`lineId` when known). */
export function conflict(phoneNumberId: string, lineId: string): AppError {
  const as = lineId ? ` as line ${lineId}` : '';
  return new AppError('line_conflict', `phone number id ${phoneNumberId} is already connected${as}`, {
    kind: 'bad_input',
  });
}

/** 422 line_changed: the line is not as the caller read it (another change came first). */
export function changed(lineId: string): AppError {
  return new AppError('line_changed', `line ${lineId} changed meanwhile: read it again and repeat`, {
    kind: 'unprocessable',
  });
}
