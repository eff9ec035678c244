import type { IncomingMessage, ServerResponse } from 'node:http';
import { endpoints } from '../../config/endpoints';
import { BODY_LIMIT, FORM_TYPE, utf8FormFields } from '../middleware/body-parsers';
import { applicationAuthSchema } from '../middleware/verify-application-token';
import type { DirectDoorsHost } from './direct-doors';
import { directPath, plainBodyLength } from './direct-path';
import {
  answerQueued,
  handOver,
  queueRobotCall,
  type RequestListener,
  type RobotDoorDeps,
  robotCallSchema,
} from './robot-door';

/**
 * The envelope and the auth block the token check reads, in one pass: a call passes it exactly when
 * it passes both the Express door's token check and its envelope schema (a call failing either is
 * handed to that door, which checks them in its order and answers the first failure).
 */
const directCallSchema = robotCallSchema.extend({ auth: applicationAuthSchema });

/** The Content-Types the direct path reads: what Bitrix24 sends. Any other goes to Express as it comes. */
const DIRECT_TYPES: ReadonlySet<string> = new Set([
  FORM_TYPE,
  `${FORM_TYPE}; charset=utf-8`,
  `${FORM_TYPE}; charset=UTF-8`,
]);

/**
 * The robot door for the calls a portal sends, straight from Node's HTTP server: the same checks,
 * answers and job as the Express door (robot-door.ts), without Express' router, request setup and
 * body reader in the way (in the bench they were almost half of the web process' CPU per call). Only the plain case
 * is served here: a call refused for any reason, and any request it does not read, goes to
 * `express` (for a call already read, with what was read: see handOver), which answers and logs it
 * exactly as before.
 */
export function createRobotDoorDirect(deps: RobotDoorDeps, express: DirectDoorsHost): RequestListener {
  const serve = async (req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> => {
    const body = utf8FormFields(raw);
    const call = directCallSchema.safeParse(body);
    if (!call.success) {
      // Refused: the Express door checks it in its order, counts, logs (with the client's address) and answers.
      handOver.give(req, { body, tokenRefused: false });
      return express(req, res);
    }
    const { auth } = call.data;
    if (!(await deps.portals.authenticate(auth.member_id, auth.application_token))) {
      // The Express door counts, logs and answers the refusal, taking the store's word given here.
      handOver.give(req, { body, tokenRefused: true });
      return express(req, res);
    }
    answerQueued(res, await queueRobotCall(deps, auth.member_id, call.data));
  };
  // Whatever fails on the way is the Express door's to answer, as Express passes a handler's rejection on.
  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    handOver.fail(req, error);
    express(req, res);
  };
  const lengthOf = (req: IncomingMessage) => plainBodyLength(req, endpoints.robot, DIRECT_TYPES, BODY_LIMIT);
  return directPath(lengthOf, serve, fail, express);
}
