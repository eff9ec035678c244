// Russian words of the open lines: typed against the English ones (a missing key fails tsc).
import type { openlinesEn } from './openlines-en';

export const openlinesRu: Record<keyof typeof openlinesEn, string> = {
  // --- openlines
  'openlines.connectorName': 'WhatsApp (роботы)',
  'openlines.channelName': 'WhatsApp: {line}',
  'openlines.location': 'Местоположение: {place}',
  'openlines.locationUnnamed': 'Местоположение',
  'openlines.contact': 'Контакт: {name}',
  'openlines.reaction': 'Реакция {emoji} на сообщение',
  'openlines.reactionRemoved': 'Реакция на сообщение снята',
  'openlines.unsupported': 'Клиент отправил сообщение, которое этот чат не может показать ({type})',
  'openlines.mediaUnavailable': 'Клиент отправил файл ({type}), который нельзя получить с этой линии',
  'openlines.fileNotShown': 'Клиент отправил файл ({type}), который не удалось показать здесь',
  'openlines.businessSent': 'Отправлено клиенту в WhatsApp: {text}',
  'openlines.buttons': 'Кнопки: {titles}',
  'openlines.notSent': 'Не отправлено в WhatsApp: {reason}',
  'openlines.notSent.lineDetached':
    'к этой открытой линии больше не подключена линия WhatsApp: подключите её в настройках приложения',
  'openlines.notSent.otherLine':
    'этот чат пришёл с линии WhatsApp, которая больше не подключена к этой открытой линии: ответить клиенту отсюда нельзя',
  'openlines.template': 'шаблон {name} ({language})',
  'openlines.notSent.lineMissing': 'линия WhatsApp этой открытой линии больше не существует: подключите другую',
  'openlines.notSent.noFile': 'файл не удалось скачать из Битрикс24: отправьте его ещё раз',
  'openlines.settings.title': 'WhatsApp в открытой линии',
  'openlines.settings.attached': 'Открытую линию {openLine} обслуживает линия WhatsApp «{line}».',
  'openlines.settings.notAttached': 'Открытую линию {openLine} пока не обслуживает ни одна линия WhatsApp.',
  'openlines.settings.choose': 'Линия WhatsApp',
  'openlines.settings.attach': 'Подключить',
  'openlines.settings.done': 'Подключено: сообщения клиентов этой линии приходят в открытую линию.',
  'openlines.settings.adminOnly': 'Изменить это может только администратор портала.',
  'openlines.settings.noLines': 'У приложения ещё нет линии WhatsApp: сначала добавьте её.',
  'openlines.settings.notVerified':
    'Страница не смогла проверить вашу сессию Битрикс24: откройте её снова из Контакт-центра.',
  // --- openlines order and drops (activity log of the settings page)
  'error.open_line_switched_off':
    'Сообщения для чата открытой линии удалены: канал WhatsApp был отключён на открытой линии больше суток. Подключите линию снова в Контакт-центре',
  'error.open_line_not_delivered': 'Сообщения для чата открытой линии удалены: Битрикс24 их не принял',
  'error.open_line_detached':
    'Сообщения для чата открытой линии удалены: линия WhatsApp была отключена от своей открытой линии (или канал выключен на ней) до того, как они были показаны',
  'error.open_line_backlog_full':
    'Самые старые ожидающие сообщения чата открытой линии удалены: слишком много сообщений ждали отправки в Битрикс24',
  'error.open_line_not_connected': 'Битрикс24 не подтвердил канал WhatsApp на открытой линии: подключите её снова',
};
