// English catalogue: every word a portal user reads, by key. The key set of this file is the
// catalogue's key set: other languages are typed against it (a missing key fails tsc).
// Placeholders are {name}; keep them identical in every language.
// Sections are grouped by area; add new keys to the section of your area.

import { apiEn } from './api-en';
import { openlinesEn } from './openlines-en';
import { settingsEn } from './settings-en';

export const en = {
  // --- common
  'common.yes': 'Yes',
  'common.no': 'No',

  // --- errors: the text of each code in lib/errors/error-codes.ts ('error.<code>'), advice included
  'error.invalid_property': 'Invalid property',
  'error.invalid_phone': 'Invalid phone number',
  'error.no_recipient': 'No recipient phone: set the phone property or add a phone to the contact',
  'error.no_line': 'No WhatsApp line is connected to this portal: connect one first',
  'error.unknown_line': 'Unknown WhatsApp line',
  'error.unknown_action': 'Unknown robot or activity code',
  'error.window_closed': 'More than 24 hours since the customer last wrote: send a template first',
  'error.rate_limited': 'WhatsApp rate limit reached and retries are exhausted: try again later',
  'error.line_auth_failed': "The line's WhatsApp access token is invalid or expired: reconnect the line",
  'error.undeliverable':
    'Message undeliverable (the number may not use WhatsApp, or the app is outdated): check the number, do not resend',
  'error.unsupported_message':
    'Unsupported message type: WhatsApp does not take this kind of message, change what the robot sends',
  'error.invalid_parameter': 'WhatsApp rejected a parameter',
  'error.template_params_mismatch': 'Template parameters do not match the template',
  'error.template_not_found': 'Template does not exist in this language or is not approved',
  'error.template_paused': 'The template is paused or disabled by WhatsApp for low quality: use another template',
  'error.account_blocked':
    'The WhatsApp account is temporarily blocked for policy violations: stop sending, an administrator must check WhatsApp Manager',
  'error.provider_unavailable': 'WhatsApp is unavailable and retries are exhausted',
  'error.provider_error': 'WhatsApp error',
  'error.provider_quota_exceeded':
    "The WhatsApp gateway plan's limit is used up: upgrade the plan or wait for the next period",
  'error.crm_not_found': 'CRM record not found',
  'error.unsupported_by_provider': "This line's provider cannot do this",
  'error.portal_needs_reinstall':
    "Bitrix24 refuses the app's access even after a token refresh: a portal administrator must reinstall the app",
  'error.internal_error': 'Internal error',
  // address policy at connect time (lib/connect-guard.ts)
  'error.address_refused':
    "The app may not connect to this address: its host resolves to a private, loopback or link-local address. Use the service's public address",
  'error.portal_address_refused':
    "The app did not connect to this portal: the portal's address now resolves to a private, loopback or link-local address (a DNS change?). Robot answers and open-line messages wait and are tried again every few minutes for up to a day: check the portal's DNS records",
  'error.portal_address_refused_dropped':
    "Robot answers or open-line messages were dropped: for a day the portal's address resolved to a private, loopback or link-local address, so the app did not connect",
  // outbound pools (lib/outbound-pools.ts)
  'error.pool_closed': 'The app is restarting and did not send this request: try again in a minute',
  // settings page
  'error.page_auth_missing': 'Open the app from Bitrix24: the page was opened without a sign-in',
  'error.page_auth_refused': 'Bitrix24 did not confirm the user: open the app from Bitrix24 again',
  'error.page_session_missing': 'No page session: reload the page',
  'error.page_session_invalid': 'The page session is not valid: open the app from Bitrix24 again',
  'error.page_session_expired': 'The page session has expired: reload the page',
  'error.admin_required': 'Only a portal administrator can change the settings',
  'error.portal_not_installed': 'The app is not installed on this portal',
  'error.line_conflict': 'This number is already connected as another line',
  'error.line_changed':
    'The line was changed (by the app operator or in another tab) after this page read it: nothing was saved. Open it again and save',
  'error.wait_not_found': 'No such open wait',
  'error.settings_page_not_built':
    'The settings page is not built: build it with npm run build:web where the dev dependencies are, and deploy web/dist',

  // --- error details: what an error names besides its code
  'error.detail.provider_code': 'WhatsApp code {code}',
  'error.detail.line_removed': 'the line "{wanted}" chosen in the robot is no longer connected; connected lines: {ids}',
  'error.detail.invalid_phone': '{field}: "{value}"',
  'error.detail.no_recipient': 'document {document}',
  'error.detail.crm_contact': 'contact {id}',
  'error.detail.unsupported': '{provider}: {capability}',
  'error.detail.worker_stalled': 'the call stopped its worker repeatedly',

  // --- property validation: «{property}: {issue}» in the robot log
  'prop.issue': '{property}: {issue}',
  'prop.item_issue': '{property}, line {line}: {issue}',
  'prop.required': 'required',
  'prop.max_chars': 'at most {max} characters',
  'prop.max_values': 'at most {max} values',
  'prop.min_values': 'at least {min} value(s)',
  'prop.at_least': 'at least {min}',
  'prop.at_most': 'at most {max}',
  'prop.whole_number': 'a whole number',
  'prop.number': 'a number',
  'prop.one_of': 'one of: {values}',
  'prop.yes_no': 'Y or N',
  'prop.invalid': 'invalid value',
  'prop.at_most_30_days': 'at most 30 days',
  'prop.not_http_url': '"{url}" is not an http(s) link',
  'prop.address_refused': '"{url}": the app may not fetch this address ({reason})',
  'prop.header_text_or_media': 'a header has text parameters or a media file, not both',
  'prop.titles_unique': 'titles must be unique',
  'prop.required_for_keywords': 'required when the answer is matched by keywords',
  'prop.required_for_regex': 'required when the answer is matched by a regular expression',
  'prop.bad_regex': 'not a valid regular expression (lookaround and backreferences are not supported)',
  'prop.a_contact_number': 'a contact number',
  'prop.contact_without_phone': 'contact {id} has no phone',
  'prop.required_without_contact': 'required when no CRM contact is given',
  'prop.empty_title': 'empty title',
  'prop.title_max': 'title at most {max} characters',
  'prop.description_max': 'description at most {max} characters',

  // --- robot log: what the robot or activity writes to the document's log
  'log.error': 'WhatsApp: error {code}: {text}',
  'log.sent': 'WhatsApp: {what} → +{to} ({ids})',
  'log.text_sent': 'WhatsApp: text sent to +{to} ({id})',
  'log.buttons_sent': 'WhatsApp: message with buttons sent ({titles}) → +{to} ({id})',
  'log.buttons_waiting': 'WhatsApp: message with buttons ({titles}) → +{to} ({id}); waiting for the reply',
  'log.list_sent': 'WhatsApp: list sent ({titles}) → +{to} ({id})',
  'log.list_waiting': 'WhatsApp: list ({titles}) → +{to} ({id}); waiting for the reply',
  'log.what.files': 'files sent: {count}',
  'log.what.location': 'location {place} sent',
  'log.what.contact': 'contact "{name}" sent',
  'log.what.reaction': 'reaction {emoji} to {id}',
  'log.what.reaction_removed': 'reaction to {id} removed',
  'log.what.template': 'template {name} ({language}) sent',
  'log.what.forwarded': 'messages forwarded: {count}',
  'log.what.forwarded_from': 'messages forwarded: {count}, from the chat of +{from}',
  'log.what.edited': 'message {id} edited',
  'log.what.deleted': 'message {id} deleted',
  'log.number_unknown': "WhatsApp: +{phone} — unknown (the line's provider {provider} cannot check numbers)",
  'log.number_has': 'WhatsApp: +{phone} has WhatsApp',
  'log.number_has_not': 'WhatsApp: +{phone} has no WhatsApp',
  'log.wait.answered': 'WhatsApp: the customer answered "{answer}"',
  'log.wait.answered_off_script': 'WhatsApp: the customer answered off-script',
  'log.wait.reply_text': '{line} — "{reply}"',
  'log.wait.note': '{line} ({note})',
  'log.wait.timeout': 'WhatsApp: no answer; the wait timed out ({at})',
  'log.wait.cancelled': 'WhatsApp: the wait for the reply was cancelled ({reason})',
  'log.wait.not_delivered': 'WhatsApp: message not delivered ({code}: {text}) {at}',
  'log.delivery.timeout': 'WhatsApp: no delivery status in time',
  'log.delivery.delivered': 'WhatsApp: message delivered',
  'log.delivery.read': 'WhatsApp: message read',

  // --- robot log notes: added to the log line after what was done
  'note.phone_from_crm': 'phone taken from the CRM ({how})',
  'note.crm.contact_phone': "the contact's phone",
  'note.crm.first_mobile': 'the first mobile of {count} phones',
  'note.crm.first_valid': 'the first valid of {count} phones',
  'note.maybe_sent_before_failure': 'the message may have left before the failure',
  'note.maybe_sent_resent':
    'the message may have left before a failure and was sent again: the customer may get it twice',
  'note.maybe_sent_skipped': 'the message may have left before a failure; not sent again, delivery unknown',
  'note.no_reply_wait': 'the run does not wait for results (use_subscription=N): no reply wait',
  'note.off_script': 'off-script answer',
  'note.newest_of_waits': 'text reply taken by the newest of {count} open waits',

  // --- cancel reasons: why a wait ended with `cancelled`
  'cancel.manual': 'cancelled by an administrator',
  'cancel.operator_replied': 'an operator replied',
  'cancel.settings_page': 'cancelled on the app page',

  // --- customer: words the app sends to the customer on WhatsApp
  'customer.reask': 'Please choose one of the options',

  // --- install page
  'install.title': 'WhatsApp robots for Bitrix24',
  'install.heading': 'Installing the app',
  'install.robots': 'Robots registered: {count}',
  'install.activities': 'Business process activities registered: {count}',
  'install.events': 'Portal events subscribed: {count}',
  'install.queued': 'Robots and activities are being registered in the background: they appear in a minute or two.',
  'install.already': 'The app is already installed on this portal.',
  'install.next_title': 'Next step: connect a WhatsApp line',
  'install.next_text':
    'Open the app from the Applications menu and connect a WhatsApp number (Cloud API or Green-API) on its settings page. Until a line is connected, robots end with the error "no line".',
  'install.finishing': 'Finishing the installation…',
  'install.finished': 'Installation finished.',
  'install.outside': 'Open this page from Bitrix24 to finish the installation.',

  // --- openlines (its own file: the catalogue outgrew one)
  ...openlinesEn,
  // --- waba window
  'window.lastWrote': 'the customer last wrote at {lastAt}; the window closed at {closedAt}',
  'window.neverWrote': 'the customer has not written to this line',
  'window.templateInstead': 'the 24-hour window is closed ({why}): sent template {template} instead',
  'window.noWindow': 'provider {provider} has no 24-hour window',
  'window.openUntil': 'window open until {closesAt}',
  'window.closed': 'window closed: only a template goes through',
  'window.unknown': 'the customer has not written since the line was connected: window state unknown',
  'window.waitingForMessage': "waiting for the customer's message",
  'window.waitingForReply': 'waiting for the reply',
  'window.filesNotSent': 'files not sent',
  'window.reactionSkipped': 'the 24-hour window is closed ({why}): reaction not sent',
  'window.detail.template_missing': '{template}: the line has no such template',
  'window.detail.template_status': '{template}: status {status}',
  'window.detail.count': '{part}: the template expects {expected}, given {given}',
  'window.detail.names': '{part}: the template expects {expected}; missing: {missing}; unknown: {unknown}',
  'window.detail.not_name_value': '{part}: "{item}" is not name=value (a named template)',
  'window.detail.no_media_header': '{property}: the template has no media header',
  'window.detail.media_kind': 'fallback_header_media: "{name}" is {kind}, the template\'s header is {format}',
  'window.kind.image': 'image',
  'window.kind.video': 'video',
  'window.kind.document': 'document',
  'window.kind.audio': 'audio',
  'window.kind.sticker': 'sticker',
  'window.kind.location': 'location',
  'window.detail.media_required': "{property}: required, the template's header is {format}",
  'window.detail.header_unsupported':
    'the template has a {format} header, which robots cannot fill: use a template with a text, image, video or document header',
  'window.detail.quick_replies':
    '{template}: {count} quick-reply buttons, the robot has {answers} answers to map them to',
  'window.prop.media_value': '"{value}" is neither an http(s) link nor a media id',
  'window.prop.required_for_fallback': 'required when a template is sent instead',
  'window.prop.wait_needs_waba':
    'waiting for the template\'s buttons needs the line\'s WhatsApp Business Account id (lines add --waba-id), or another "what counts as the answer"',
  'window.prop.no_quick_replies': '{template} has no quick-reply buttons: choose another "what counts as the answer"',
  'window.prop.nothing_to_wait': 'the run does not wait for results (use_subscription=N): nothing to wait for',
  // --- api: answers of the webhook API (their own file)
  ...apiEn,
  // --- settings page (its own file: the catalogue outgrew one)
  ...settingsEn,
  // --- waba media: error codes of lib/errors/error-codes.ts ('error.<code>', advice included) and what they name
  'error.spam_rate_limited':
    'WhatsApp limits this number for spam (too many earlier messages were blocked or reported): pause sending for some hours and review the messages',
  'error.marketing_limit':
    'WhatsApp holds back marketing messages to this customer for now (per-user limit): try again in 24 hours — the robot data is fine',
  'error.marketing_opted_out':
    'The customer stopped marketing messages from this business: do not send marketing templates to them',
  'error.media_download_failed': "WhatsApp could not download the customer's file: ask the customer to send it again",
  'error.media_upload_failed':
    'WhatsApp could not take the file (unreachable link, wrong type or too big): fix the file and send again',
  'error.file_too_large': 'The file is larger than WhatsApp allows for its type',
  'error.file_type_unsupported': 'WhatsApp does not take files of this type',
  'error.file_download_failed': 'The file could not be downloaded from the portal',
  'error.template_text_too_long':
    'The template text is too long after the parameters are filled in: shorten the parameters',
  'error.template_policy_violation':
    'The template parameters break WhatsApp content or formatting rules (e.g. line breaks, tabs, too many spaces): fix the values',
  'error.template_param_format': 'A template parameter is formatted wrongly: fix its value',
  'error.template_param_type':
    'A template parameter has the wrong type (e.g. text where the header expects an image): fix the component types',
  'error.template_disabled': 'The template is disabled for good (paused too often): use another template',
  'error.flow_blocked': 'The WhatsApp Flow of this template is blocked: fix the Flow in WhatsApp Manager',
  'error.flow_throttled': 'The WhatsApp Flow of this template is throttled: try again later',
  'error.account_locked':
    'The WhatsApp account is locked (integrity check or two-step PIN mismatch): an administrator must unlock it in WhatsApp Manager',
  'wabaMedia.fileTooLarge': '"{name}" is {size}; {what} may be at most {max}',
  'wabaMedia.fileTypeUnsupported': '"{name}" is {type}; a file sent as {kind} must be {allowed}',
  'wabaMedia.oggNotOpus': '"{name}": Ogg audio must use the Opus codec',
  'wabaMedia.fileNotFound': 'Disk file {id}: {reason}',
  'wabaMedia.fileDownloadFailed': '"{name}": {reason}',
  'wabaMedia.linkNotOnPortal': '"{name}": the link is not on the portal ({origin})',
  'wabaMedia.internalFileId':
    'file: {value} is an internal file id, which cannot be downloaded through REST: use a Disk file id (Disk file ids) or a download link',
  'wabaMedia.notDiskFileId': 'Disk file ids: "{value}" is not a Disk file id (a number)',
  'wabaMedia.notPortalFile': 'file: "{value}" is not a portal download link',
  'wabaMedia.noFiles': 'files, portal files: at least one file, at most 10',
  'wabaMedia.uploadOnlyByLink':
    '{provider}: files from the portal are uploaded, and this provider takes files by public link only',
  'wabaMedia.uploadRefused': '"{name}": {reason}',
  'wabaMedia.userIdNotSupported': '"{value}" is a WhatsApp user id; {provider} sends to phone numbers only',
  'wabaMedia.noneWithWhatsApp': 'none of the {count} numbers "{value}" has WhatsApp',
  'wabaMedia.crmFirstWithWhatsApp': 'the first with WhatsApp of {count} phones',
  'wabaMedia.recipientChosen': 'number chosen from {count}: {phone} ({how})',
  'wabaMedia.firstMobile': 'the first mobile',
  'wabaMedia.firstValid': 'the first valid',
  'wabaMedia.firstWithWhatsApp': 'the first with WhatsApp',
  'wabaMedia.gupshupCode': 'GupShup {code}: {reason}',
  'wabaMedia.gupshupTemplate': 'template {name} ({language}) on GupShup app {app}: {state}',
  'wabaMedia.gupshupTemplate.not_found': 'not found',
  'wabaMedia.gupshupOneContact': 'GupShup sends exactly one contact card',
  'wabaMedia.gupshupNoSource': 'the GupShup line has no source number (lines add … --source)',
} as const;

export type MessageKey = keyof typeof en;
