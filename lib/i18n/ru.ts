// Russian catalogue (also for by/kz portals). Typed against en.ts: a missing key fails tsc.

import { apiRu } from './api-ru';
import type { MessageKey } from './en';
import { openlinesRu } from './openlines-ru';
import { settingsRu } from './settings-ru';

export const ru: Record<MessageKey, string> = {
  // --- common
  'common.yes': 'Да',
  'common.no': 'Нет',

  // --- errors
  'error.invalid_property': 'Неверное значение свойства',
  'error.invalid_phone': 'Неверный номер телефона',
  'error.no_recipient': 'Нет телефона получателя: укажите телефон или добавьте его контакту',
  'error.no_line': 'К порталу не подключена линия WhatsApp: сначала подключите линию',
  'error.unknown_line': 'Неизвестная линия WhatsApp',
  'error.unknown_action': 'Неизвестный код робота или действия',
  'error.window_closed': 'С последнего сообщения клиента прошло больше 24 часов: сначала отправьте шаблон',
  'error.rate_limited': 'Превышен лимит WhatsApp, повторы исчерпаны: попробуйте позже',
  'error.line_auth_failed': 'Токен доступа линии WhatsApp недействителен или истёк: переподключите линию',
  'error.undeliverable':
    'Сообщение не может быть доставлено (возможно, номер не использует WhatsApp или приложение устарело): проверьте номер, не отправляйте повторно',
  'error.unsupported_message':
    'Неподдерживаемый тип сообщения: WhatsApp не принимает такое сообщение, измените то, что отправляет робот',
  'error.invalid_parameter': 'WhatsApp отклонил параметр',
  'error.template_params_mismatch': 'Параметры шаблона не совпадают с шаблоном',
  'error.template_not_found': 'Шаблон не существует на этом языке или не одобрен',
  'error.template_paused':
    'Шаблон приостановлен или отключён WhatsApp из-за низкого качества: используйте другой шаблон',
  'error.account_blocked':
    'Аккаунт WhatsApp временно заблокирован за нарушение правил: остановите отправку, администратор должен проверить WhatsApp Manager',
  'error.provider_unavailable': 'WhatsApp недоступен, повторы исчерпаны',
  'error.provider_error': 'Ошибка WhatsApp',
  'error.provider_quota_exceeded':
    'Лимит тарифа WhatsApp-шлюза исчерпан: смените тариф или дождитесь следующего периода',
  'error.crm_not_found': 'Запись CRM не найдена',
  'error.unsupported_by_provider': 'Провайдер этой линии не поддерживает это действие',
  'error.portal_needs_reinstall':
    'Битрикс24 отклоняет доступ приложения даже после обновления токенов: администратор портала должен переустановить приложение',
  'error.internal_error': 'Внутренняя ошибка',
  // address policy at connect time (lib/connect-guard.ts)
  'error.address_refused':
    'Приложению нельзя подключаться к этому адресу: его хост указывает на частный, локальный или link-local адрес. Укажите публичный адрес сервиса',
  'error.portal_address_refused':
    'Приложение не подключилось к порталу: адрес портала теперь указывает на частный, локальный или link-local адрес (изменился DNS?). Ответы роботов и сообщения открытых линий ждут и повторяются каждые несколько минут до суток: проверьте DNS-записи портала',
  'error.portal_address_refused_dropped':
    'Ответы роботов или сообщения открытых линий удалены: сутки адрес портала указывал на частный, локальный или link-local адрес, и приложение к нему не подключалось',
  // outbound pools (lib/outbound-pools.ts)
  'error.pool_closed': 'Приложение перезапускается и не отправило этот запрос: повторите через минуту',
  // settings page
  'error.page_auth_missing': 'Откройте приложение из Битрикс24: страница открыта без входа',
  'error.page_auth_refused': 'Битрикс24 не подтвердил пользователя: откройте приложение из Битрикс24 ещё раз',
  'error.page_session_missing': 'Нет сессии страницы: перезагрузите страницу',
  'error.page_session_invalid': 'Сессия страницы недействительна: откройте приложение из Битрикс24 ещё раз',
  'error.page_session_expired': 'Сессия страницы истекла: перезагрузите страницу',
  'error.admin_required': 'Изменять настройки может только администратор портала',
  'error.portal_not_installed': 'Приложение не установлено на этом портале',
  'error.line_conflict': 'Этот номер уже подключён как другая линия',
  'error.line_changed':
    'Линию изменили (оператор приложения или другая вкладка) после того, как страница её прочитала: ничего не сохранено. Откройте её ещё раз и сохраните',
  'error.wait_not_found': 'Нет такого открытого ожидания',
  'error.settings_page_not_built':
    'Страница настроек не собрана: соберите её командой npm run build:web там, где установлены dev-зависимости, и разверните web/dist',

  // --- error details
  'error.detail.provider_code': 'код WhatsApp {code}',
  'error.detail.line_removed': 'выбранная в роботе линия «{wanted}» больше не подключена; подключённые линии: {ids}',
  'error.detail.invalid_phone': '{field}: «{value}»',
  'error.detail.no_recipient': 'документ {document}',
  'error.detail.crm_contact': 'контакт {id}',
  'error.detail.unsupported': '{provider}: {capability}',
  'error.detail.worker_stalled': 'обработка вызова несколько раз прерывалась',

  // --- property validation
  'prop.issue': '«{property}»: {issue}',
  'prop.item_issue': '«{property}», строка {line}: {issue}',
  'prop.required': 'обязательное поле',
  'prop.max_chars': 'не более {max} символов',
  'prop.max_values': 'не более {max} значений',
  'prop.min_values': 'не менее {min} значений',
  'prop.at_least': 'не меньше {min}',
  'prop.at_most': 'не больше {max}',
  'prop.whole_number': 'целое число',
  'prop.number': 'число',
  'prop.one_of': 'одно из значений: {values}',
  'prop.yes_no': 'Y или N',
  'prop.invalid': 'недопустимое значение',
  'prop.at_most_30_days': 'не более 30 дней',
  'prop.not_http_url': '«{url}» — не ссылка http(s)',
  'prop.address_refused': '«{url}»: приложению нельзя обращаться по этому адресу ({reason})',
  'prop.header_text_or_media': 'у заголовка либо текстовые параметры, либо медиафайл, но не оба сразу',
  'prop.titles_unique': 'названия должны различаться',
  'prop.required_for_keywords': 'обязательно, когда ответ распознаётся по ключевым словам',
  'prop.required_for_regex': 'обязательно, когда ответ распознаётся по регулярному выражению',
  'prop.bad_regex': 'некорректное регулярное выражение (просмотр вперёд/назад и обратные ссылки не поддерживаются)',
  'prop.a_contact_number': 'номер контакта (число)',
  'prop.contact_without_phone': 'у контакта {id} нет телефона',
  'prop.required_without_contact': 'обязательно, если контакт CRM не указан',
  'prop.empty_title': 'пустое название',
  'prop.title_max': 'название не более {max} символов',
  'prop.description_max': 'описание не более {max} символов',

  // --- robot log
  'log.error': 'WhatsApp: ошибка {code}: {text}',
  'log.sent': 'WhatsApp: {what} → +{to} ({ids})',
  'log.text_sent': 'WhatsApp: текст отправлен на +{to} ({id})',
  'log.buttons_sent': 'WhatsApp: отправлено сообщение с кнопками ({titles}) → +{to} ({id})',
  'log.buttons_waiting': 'WhatsApp: сообщение с кнопками ({titles}) → +{to} ({id}); ждём ответа',
  'log.list_sent': 'WhatsApp: отправлен список ({titles}) → +{to} ({id})',
  'log.list_waiting': 'WhatsApp: список ({titles}) → +{to} ({id}); ждём ответа',
  'log.what.files': 'файлов отправлено: {count}',
  'log.what.location': 'геолокация {place} отправлена',
  'log.what.contact': 'контакт «{name}» отправлен',
  'log.what.reaction': 'реакция {emoji} на {id}',
  'log.what.reaction_removed': 'реакция на {id} снята',
  'log.what.template': 'шаблон {name} ({language}) отправлен',
  'log.what.forwarded': 'переслано сообщений: {count}',
  'log.what.forwarded_from': 'переслано сообщений: {count}, из чата +{from}',
  'log.what.edited': 'сообщение {id} изменено',
  'log.what.deleted': 'сообщение {id} удалено',
  'log.number_unknown': 'WhatsApp: +{phone} — неизвестно (провайдер линии {provider} не умеет проверять номера)',
  'log.number_has': 'WhatsApp: у +{phone} есть WhatsApp',
  'log.number_has_not': 'WhatsApp: у +{phone} нет WhatsApp',
  'log.wait.answered': 'WhatsApp: клиент ответил «{answer}»',
  'log.wait.answered_off_script': 'WhatsApp: клиент ответил вне вариантов',
  'log.wait.reply_text': '{line} — «{reply}»',
  'log.wait.note': '{line} ({note})',
  'log.wait.timeout': 'WhatsApp: ответа нет, время ожидания истекло ({at})',
  'log.wait.cancelled': 'WhatsApp: ожидание ответа отменено ({reason})',
  'log.wait.not_delivered': 'WhatsApp: сообщение не доставлено ({code}: {text}) {at}',
  'log.delivery.timeout': 'WhatsApp: статус доставки не получен вовремя',
  'log.delivery.delivered': 'WhatsApp: сообщение доставлено',
  'log.delivery.read': 'WhatsApp: сообщение прочитано',

  // --- robot log notes
  'note.phone_from_crm': 'телефон взят из CRM ({how})',
  'note.crm.contact_phone': 'телефон контакта',
  'note.crm.first_mobile': 'первый мобильный из {count} телефонов',
  'note.crm.first_valid': 'первый корректный из {count} телефонов',
  'note.maybe_sent_before_failure': 'сообщение могло уйти до сбоя',
  'note.maybe_sent_resent': 'сообщение могло уйти до сбоя и отправлено повторно: клиент может получить его дважды',
  'note.maybe_sent_skipped': 'сообщение могло уйти до сбоя; повторно не отправлено, доставка неизвестна',
  'note.no_reply_wait': 'робот не ждёт результата (use_subscription=N): ответ не ожидается',
  'note.off_script': 'ответ вне вариантов',
  'note.newest_of_waits': 'текстовый ответ отнесён к самому новому из {count} ожиданий',

  // --- cancel reasons
  'cancel.manual': 'отменено администратором',
  'cancel.operator_replied': 'ответил оператор',
  'cancel.settings_page': 'отменено на странице приложения',

  // --- customer
  'customer.reask': 'Пожалуйста, выберите один из вариантов',

  // --- install page
  'install.title': 'WhatsApp-роботы для Битрикс24',
  'install.heading': 'Установка приложения',
  'install.robots': 'Роботов зарегистрировано: {count}',
  'install.activities': 'Действий бизнес-процессов зарегистрировано: {count}',
  'install.events': 'Подписок на события портала: {count}',
  'install.queued': 'Роботы и действия регистрируются в фоне: они появятся через минуту-другую.',
  'install.already': 'Приложение уже установлено на этом портале.',
  'install.next_title': 'Следующий шаг: подключите линию WhatsApp',
  'install.next_text':
    'Откройте приложение из меню «Приложения» и подключите номер WhatsApp (Cloud API или Green-API) на странице настроек. Пока линия не подключена, роботы завершаются с ошибкой «нет линии».',
  'install.finishing': 'Завершаем установку…',
  'install.finished': 'Установка завершена.',
  'install.outside': 'Откройте эту страницу из Битрикс24, чтобы завершить установку.',

  // --- openlines (its own file: the catalogue outgrew one)
  ...openlinesRu,
  // --- waba window
  'window.lastWrote': 'клиент писал последний раз {lastAt}, окно закрылось {closedAt}',
  'window.neverWrote': 'клиент не писал на эту линию',
  'window.templateInstead': '24-часовое окно закрыто ({why}): вместо сообщения отправлен шаблон {template}',
  'window.noWindow': 'у провайдера {provider} нет 24-часового окна',
  'window.openUntil': 'окно открыто до {closesAt}',
  'window.closed': 'окно закрыто: пройдёт только шаблон',
  'window.unknown': 'клиент не писал с подключения линии: состояние окна неизвестно',
  'window.waitingForMessage': 'ждём сообщения клиента',
  'window.waitingForReply': 'ждём ответа',
  'window.filesNotSent': 'файлы не отправлены',
  'window.reactionSkipped': '24-часовое окно закрыто ({why}): реакция не отправлена',
  'window.detail.template_missing': '{template}: у линии нет такого шаблона',
  'window.detail.template_status': '{template}: статус {status}',
  'window.detail.count': '{part}: шаблон ждёт {expected}, передано {given}',
  'window.detail.names': '{part}: шаблон ждёт {expected}; не хватает: {missing}; лишние: {unknown}',
  'window.detail.not_name_value': '{part}: «{item}» — не имя=значение (шаблон с именованными параметрами)',
  'window.detail.no_media_header': '{property}: у шаблона нет медиа-заголовка',
  'window.detail.media_kind': 'fallback_header_media: «{name}» — {kind}, а заголовок шаблона — {format}',
  'window.kind.image': 'изображение',
  'window.kind.video': 'видео',
  'window.kind.document': 'документ',
  'window.kind.audio': 'аудио',
  'window.kind.sticker': 'стикер',
  'window.kind.location': 'геопозиция',
  'window.detail.media_required': '{property}: обязательно, заголовок шаблона — {format}',
  'window.detail.header_unsupported':
    'у шаблона заголовок {format}, его робот заполнить не может: выберите шаблон с заголовком-текстом, изображением, видео или документом',
  'window.detail.quick_replies': '{template}: кнопок быстрого ответа {count}, а ответов у робота {answers}',
  'window.prop.media_value': '«{value}» — не ссылка http(s) и не ID медиафайла',
  'window.prop.required_for_fallback': 'обязательно, когда вместо сообщения отправляется шаблон',
  'window.prop.wait_needs_waba':
    'чтобы ждать нажатия кнопок шаблона, у линии должен быть ID аккаунта WhatsApp Business (lines add --waba-id), или выберите другое «что считать ответом»',
  'window.prop.no_quick_replies': 'у {template} нет кнопок быстрого ответа: выберите другое «что считать ответом»',
  'window.prop.nothing_to_wait': 'запуск не ждёт результата (use_subscription=N): ждать нечего',
  // --- api: answers of the webhook API (their own file)
  ...apiRu,
  // --- settings page (its own file: the catalogue outgrew one)
  ...settingsRu,
  // --- waba media
  'error.spam_rate_limited':
    'WhatsApp ограничил номер за спам (слишком много сообщений заблокировали или на них пожаловались): приостановите рассылку на несколько часов и проверьте тексты',
  'error.marketing_limit':
    'WhatsApp временно не доставляет этому клиенту маркетинговые сообщения (лимит на пользователя): повторите через 24 часа — данные робота в порядке',
  'error.marketing_opted_out':
    'Клиент отказался от маркетинговых сообщений этой компании: не отправляйте ему маркетинговые шаблоны',
  'error.media_download_failed': 'WhatsApp не смог загрузить файл клиента: попросите клиента отправить его ещё раз',
  'error.media_upload_failed':
    'WhatsApp не смог принять файл (ссылка недоступна, неверный тип или слишком большой размер): исправьте файл и отправьте снова',
  'error.file_too_large': 'Файл больше, чем WhatsApp допускает для этого типа',
  'error.file_type_unsupported': 'WhatsApp не принимает файлы этого типа',
  'error.file_download_failed': 'Не удалось скачать файл с портала',
  'error.template_text_too_long': 'Текст шаблона после подстановки параметров слишком длинный: сократите параметры',
  'error.template_policy_violation':
    'Параметры шаблона нарушают правила WhatsApp по содержанию или оформлению (переводы строк, табуляция, много пробелов): исправьте значения',
  'error.template_param_format': 'Параметр шаблона оформлен неверно: исправьте его значение',
  'error.template_param_type':
    'Параметр шаблона неверного типа (например, текст там, где заголовок ждёт изображение): исправьте типы',
  'error.template_disabled': 'Шаблон отключён навсегда (слишком часто приостанавливался): используйте другой шаблон',
  'error.flow_blocked': 'WhatsApp Flow этого шаблона заблокирован: исправьте Flow в WhatsApp Manager',
  'error.flow_throttled': 'WhatsApp Flow этого шаблона ограничен по частоте: повторите позже',
  'error.account_locked':
    'Аккаунт WhatsApp заблокирован (проверка целостности или неверный PIN двухэтапной проверки): администратор должен разблокировать его в WhatsApp Manager',
  'wabaMedia.fileTooLarge': '«{name}» — {size}; {what}: не больше {max}',
  'wabaMedia.fileTypeUnsupported': '«{name}» — {type}; {kind}: только {allowed}',
  'wabaMedia.oggNotOpus': '«{name}»: аудио Ogg должно быть в кодеке Opus',
  'wabaMedia.fileNotFound': 'файл Диска {id}: {reason}',
  'wabaMedia.fileDownloadFailed': '«{name}»: {reason}',
  'wabaMedia.linkNotOnPortal': '«{name}»: ссылка не на портал ({origin})',
  'wabaMedia.internalFileId':
    'файл: {value} — внутренний id файла, его не скачать через REST: укажите id файла Диска (ID файлов Диска) или ссылку на скачивание',
  'wabaMedia.notDiskFileId': 'ID файлов Диска: «{value}» — не id файла Диска (число)',
  'wabaMedia.notPortalFile': 'файл: «{value}» — не ссылка на скачивание с портала',
  'wabaMedia.noFiles': 'файлы, файлы портала: хотя бы один файл, не больше 10',
  'wabaMedia.uploadOnlyByLink':
    '{provider}: файлы портала загружаются в WhatsApp, а этот провайдер принимает файлы только по публичной ссылке',
  'wabaMedia.uploadRefused': '«{name}»: {reason}',
  'wabaMedia.userIdNotSupported':
    '«{value}» — id пользователя WhatsApp; {provider} отправляет только на номера телефонов',
  'wabaMedia.noneWithWhatsApp': 'ни у одного из {count} номеров «{value}» нет WhatsApp',
  'wabaMedia.crmFirstWithWhatsApp': 'первый с WhatsApp из {count} телефонов',
  'wabaMedia.recipientChosen': 'номер выбран из {count}: {phone} ({how})',
  'wabaMedia.firstMobile': 'первый мобильный',
  'wabaMedia.firstValid': 'первый верный',
  'wabaMedia.firstWithWhatsApp': 'первый с WhatsApp',
  'wabaMedia.gupshupCode': 'GupShup {code}: {reason}',
  'wabaMedia.gupshupTemplate': 'шаблон {name} ({language}) в приложении GupShup {app}: {state}',
  'wabaMedia.gupshupTemplate.not_found': 'не найден',
  'wabaMedia.gupshupOneContact': 'GupShup отправляет ровно одну карточку контакта',
  'wabaMedia.gupshupNoSource': 'у линии GupShup нет номера отправителя (lines add … --source)',
};
