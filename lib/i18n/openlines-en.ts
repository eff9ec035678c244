// English words of the open lines (the chat, its notes, the placement page, dropped chat items):
// the `// --- openlines` sections of the catalogue, spread into en.ts.
export const openlinesEn = {
  // --- openlines
  'openlines.connectorName': 'WhatsApp (robots)',
  'openlines.channelName': 'WhatsApp: {line}',
  'openlines.location': 'Location: {place}',
  'openlines.locationUnnamed': 'Location',
  'openlines.contact': 'Contact: {name}',
  'openlines.reaction': 'Reaction {emoji} to a message',
  'openlines.reactionRemoved': 'Reaction removed from a message',
  'openlines.unsupported': 'The customer sent a message this chat cannot show ({type})',
  'openlines.mediaUnavailable': 'The customer sent a file ({type}) that cannot be fetched from this line',
  'openlines.fileNotShown': 'The customer sent a file ({type}) that could not be shown here',
  'openlines.businessSent': 'Sent to the customer on WhatsApp: {text}',
  'openlines.buttons': 'Buttons: {titles}',
  'openlines.notSent': 'Not sent to WhatsApp: {reason}',
  'openlines.notSent.lineDetached':
    'this open line has no WhatsApp line attached any more: attach one in the app settings',
  'openlines.notSent.otherLine':
    'this chat came from a WhatsApp line no longer attached to this open line: the customer cannot be answered from here',
  'openlines.template': 'template {name} ({language})',
  'openlines.notSent.lineMissing': 'the WhatsApp line attached to this open line no longer exists: attach another one',
  'openlines.notSent.noFile': 'a file could not be downloaded from Bitrix24: send it again',
  'openlines.settings.title': 'WhatsApp in the open line',
  'openlines.settings.attached': 'Open line {openLine} is served by the WhatsApp line "{line}".',
  'openlines.settings.notAttached': 'No WhatsApp line serves open line {openLine} yet.',
  'openlines.settings.choose': 'WhatsApp line',
  'openlines.settings.attach': 'Attach',
  'openlines.settings.done': 'Attached: customers of this line now reach this open line.',
  'openlines.settings.adminOnly': 'Only a portal administrator can change this.',
  'openlines.settings.noLines': 'The app has no WhatsApp line yet: add one first.',
  'openlines.settings.notVerified':
    'This page could not verify your Bitrix24 session: reopen it from the Contact Center.',
  // --- openlines order and drops (activity log of the settings page)
  'error.open_line_switched_off':
    'Messages for an open-line chat were dropped: the WhatsApp channel was switched off on the open line for more than a day. Attach the line again in Contact Center',
  'error.open_line_not_delivered': 'Messages for an open-line chat were dropped: Bitrix24 did not take them',
  'error.open_line_detached':
    'Messages for an open-line chat were dropped: the WhatsApp line was detached from its open line (or switched off there) before they were shown',
  'error.open_line_backlog_full':
    'The oldest waiting messages of an open-line chat were dropped: too many were waiting for Bitrix24',
  'error.open_line_not_connected': 'Bitrix24 did not confirm the WhatsApp channel on the open line: attach it again',
} as const;
