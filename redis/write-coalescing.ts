import { Redis, type RedisOptions } from 'ioredis';

type SendCommandArgs = Parameters<Redis['sendCommand']>;

/**
 * Node's own, taken at load: a test's fake timers (jest fakes `setImmediate` too) would otherwise
 * hold every write of the turn until they are advanced.
 */
const realSetImmediate = setImmediate;

/**
 * A Redis connection whose commands issued in one turn of the event loop leave in one socket write.
 *
 * Every write is a system call: one per command was about a third of the web process's CPU per
 * customer reply in the bench (issue 10). Here the socket is corked at a turn's first command and
 * uncorked once the turn's I/O callbacks have run (`setImmediate`): the commands of every request or
 * job handled in that turn go out together, in order, while nothing waits on an earlier round trip,
 * so on the web's fail-fast connections a refused or cut command still fails at once. Commands of
 * a pipeline or MULTI (written by ioredis in one piece) join the same write. The price is latency:
 * a command waits for the end of its turn's poll phase (one issued from a `setImmediate` callback,
 * for the next turn's). The web doors pay it on each of a request's round trips: the robot door's
 * p99 at a fixed 1,000 req/s was 19.0-25.3 ms against 12.8-16.1 ms with plain writes (3 interleaved
 * pairs of bench runs), so their connections flush at the end of the issuing callback instead
 * (`tick`: 11.1-19.4 ms in 3 more pairs, against 10.9-24.6 ms at the turn's end), which still
 * writes the commands of every request a Redis reply resumes together.
 *
 * Not ioredis' auto-pipelining, which batches as well: each `Pipeline` it builds defines its
 * `length` getter on the instance (ioredis 5.11 Pipeline.js), which gives every pipeline a hidden
 * class of its own, kept in old space until a full GC, and that class reaches the pipeline, its
 * commands, their arguments and replies. So everything a pipeline touched survived the young-
 * generation collections and was copied into old space: with 64 callers each sending SETs on one
 * connection, 7.9 µs of CPU per command and 40 % of the time in GC pauses, against 2.7 µs and
 * under 10 % here (2026-12-03, --single-threaded-gc, 64 MB semi-space). The worker's CPU per sent
 * message had a sixth of it in scavenges for the same reason.
 */
/**
 * When a corked socket is written: `turn`, once the turn's I/O callbacks have run (the most commands
 * per write: the workers); `tick`, once the callback that issued the first command and its promise
 * continuations are done (the web doors: see the class comment).
 */
export type FlushAt = 'turn' | 'tick';

export class WriteCoalescingRedis extends Redis {
  /** The socket corked in this turn (a reconnect brings a new one; this one is uncorked all the same). */
  private corked: Redis['stream'] | null = null;
  private readonly flushAt: FlushAt;

  constructor(url: string, options: RedisOptions, flushAt: FlushAt = 'turn') {
    super(url, options);
    this.flushAt = flushAt;
  }

  override sendCommand(command: SendCommandArgs[0], stream?: SendCommandArgs[1]): unknown {
    const socket = this.stream;
    // A write ioredis makes now on this connection's ready socket: a command of its own, or one of
    // a pipeline or MULTI it writes here in one piece. Queued or refused commands write nothing.
    const ownWrite = stream === undefined || ('isPipeline' in stream && stream.destination.redis === this);
    if (this.corked === null && ownWrite && this.status === 'ready' && socket?.writable) {
      socket.cork();
      this.corked = socket;
      const flush = () => {
        this.corked = null;
        socket.uncork();
      };
      if (this.flushAt === 'tick') process.nextTick(flush);
      else realSetImmediate(flush);
    }
    return super.sendCommand(command, stream);
  }
}
