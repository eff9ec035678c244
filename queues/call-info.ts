/** Who called: the robot/activity run a job serves (built by the worker from a run-action job). */
export interface CallInfo {
  /** `api`: an outside system through the webhook API (no workflow, nobody to call back). */
  kind: 'robot' | 'activity' | 'api';
  code: string;
  eventToken: string;
  workflowId: string;
  /** ['crm', 'CCrmDocumentDeal', 'DEAL_5'] */
  documentId: string[];
  /** Stable key of this call (hash of the event token). */
  callKey: string;
  /** The portal's own time-out for this run in seconds (0 = none), counted from `receivedAt`. */
  timeoutDurationSec: number;
  /** When the portal's call reached the door (ms). */
  receivedAt?: number;
  /** False when the portal does not wait for this run's result (use_subscription=N). */
  useSubscription?: boolean;
  /** "Also show in the open-line chat": stored with each sent message for the open-line sync. */
  showInChat?: boolean;
  /**
   * A retry finds that an earlier attempt of a send may have left (it was cut off between the
   * provider call and recording the answer): send again (default) or skip it.
   */
  ifMaybeSent?: 'resend' | 'skip';
}
