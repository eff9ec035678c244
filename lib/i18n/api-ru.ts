// Russian answers of the webhook API: typed against the English ones (a missing key fails tsc).
import type { apiEn } from './api-en';

export const apiRu: Record<keyof typeof apiEn, string> = {
  'api.invalid_token': 'Неизвестный или отозванный токен',
  'api.unknown_method': 'Нет такого метода',
  'api.bad_parameter': 'Неверный параметр',
  'api.rate_limited': 'Слишком много запросов: повторите позже',
  'api.message_not_found': 'Нет такого сообщения на этой линии',
  'api.line_not_found': 'Линия этого токена больше не подключена',
  'api.payload_too_large': 'Слишком большое тело запроса',
  'api.unsupported_media_type': 'Отправьте тело запроса как форму или JSON',
  'api.unavailable': 'Временно недоступно: повторите позже',
  'api.internal_error': 'Внутренняя ошибка',
  'api.idempotency_key_reused':
    'Этот idempotency_key уже использован для другого запроса, который остаётся в силе: нужен новый ключ',
};
