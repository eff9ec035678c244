/** Open Lines and the imconnector layer of the simulated portal: connectors, line statuses, chats, messages. */

/** A connector registered with `imconnector.register` (top-level keys upper-cased). */
export interface ConnectorRegistration {
  id: string;
  name: string;
  placementHandler: string;
  fields: Record<string, unknown>;
}

/** The connector's status on one open line (`imconnector.activate`, `connector.data.set`). */
export interface ConnectorLineStatus {
  connector: string;
  line: number;
  active: boolean;
  data: Record<string, string>;
  /** Order of the calls seen for this (connector, line), e.g. ['activate', 'data.set']. */
  calls: string[];
}

/** One message in an open-line chat as an operator sees it. */
export interface OpenLineMessage {
  /** The portal's own message id. */
  id: number;
  /** customer: from the connector; operator: typed in the chat; system: `im.message.add SYSTEM=Y`. */
  author: 'customer' | 'operator' | 'system';
  text: string;
  files: Array<{ name: string; url: string; bytes: number; contentType: string }>;
  /** The connector's id of the message (`message.id` of send.messages, or what status.delivery set). */
  connectorMid: string[];
  /** `status.delivery` confirmed an operator message. */
  delivered: boolean;
  at: number;
}

/** A customer's chat on one line (the dialog `connector|line|chat.id`). */
export interface OpenLineChat {
  chatId: number;
  sessionId: number;
  line: number;
  connector: string;
  externalChatId: string;
  user: Record<string, unknown>;
  messages: OpenLineMessage[];
}

/** What the portal remembers of Open Lines. */
export class OpenLinesState {
  readonly connectors = new Map<string, ConnectorRegistration>();
  readonly statuses = new Map<string, ConnectorLineStatus>();
  /** ONIMCONNECTORSTATUSDELETE events sent (a switch-off), with the HTTP status of each handler's answer. */
  readonly switchOffEvents: Array<{ connector: string; line: number; statuses: number[] }> = [];
  /**
   * While true, switch-off events wait (the portal's event queue running late) until
   * `releaseSwitchOffEvents`: a test makes one arrive after the app's next steps.
   */
  holdSwitchOffEvents = false;
  private readonly heldSwitchOffs: Array<() => Promise<void>> = [];
  /** Open lines that exist (id → name); line 1 exists on every portal. */
  readonly lines = new Map<number, string>([[1, 'Open line 1']]);
  readonly chats = new Map<string, OpenLineChat>();
  /** Files operators attach, served at `/pub/im.file.php?FILE_ID=`. */
  readonly files = new Map<string, { name: string; bytes: Buffer; contentType: string }>();
  private nextChatId = 1001;
  private nextMessageId = 50001;

  /** Sends a switch-off event now, or holds it while `holdSwitchOffEvents`. */
  async switchedOff(deliver: () => Promise<void>): Promise<void> {
    if (this.holdSwitchOffEvents) this.heldSwitchOffs.push(deliver);
    else await deliver();
  }

  /** Delivers the held switch-off events, oldest first; returns how many. */
  async releaseSwitchOffEvents(): Promise<number> {
    const held = this.heldSwitchOffs.splice(0);
    for (const deliver of held) await deliver();
    return held.length;
  }

  statusKey(connector: string, line: number): string {
    return `${connector}|${line}`;
  }

  chatKey(connector: string, line: number, externalChatId: string): string {
    return `${connector}|${line}|${externalChatId}`;
  }

  /** The chat of a customer, created on the first message (a session opens with it). */
  chatFor(connector: string, line: number, externalChatId: string, user: Record<string, unknown>): OpenLineChat {
    const key = this.chatKey(connector, line, externalChatId);
    let chat = this.chats.get(key);
    if (!chat) {
      const chatId = this.nextChatId++;
      chat = { chatId, sessionId: chatId + 7000, line, connector, externalChatId, user, messages: [] };
      this.chats.set(key, chat);
    }
    return chat;
  }

  chatById(chatId: number): OpenLineChat | undefined {
    return [...this.chats.values()].find((c) => c.chatId === chatId);
  }

  addMessage(chat: OpenLineChat, message: Omit<OpenLineMessage, 'id' | 'at' | 'delivered'>): OpenLineMessage {
    const stored: OpenLineMessage = { ...message, id: this.nextMessageId++, at: Date.now(), delivered: false };
    chat.messages.push(stored);
    return stored;
  }
}
