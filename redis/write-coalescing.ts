import { Redis } from 'ioredis';

type SendCommandArgs = Parameters<Redis['sendCommand']>;

/**
 * A Redis connection whose commands issued in one turn of the event loop leave in one socket write.
 *
 * The web process's connections are not auto-pipelined: they must fail fast (see
 * app/web-connections.ts), and ioredis keeps one auto-pipeline in flight per connection, so a cut
 * one would hold every later command. Without it each command was its own `write` system call,
 * about a third of the web process's CPU per customer reply in the bench (issue 10). Here the
 * socket is corked at a turn's first command and uncorked once the turn's I/O callbacks have run
 * (`setImmediate`): the commands of every request handled in that turn go out together, in order,
 * while nothing waits on an earlier round trip, so a refused or cut command still fails at once.
 * Commands of a pipeline or MULTI (written by ioredis in one piece) join the same write.
 */
export class WriteCoalescingRedis extends Redis {
  /** The socket corked in this turn (a reconnect brings a new one; this one is uncorked all the same). */
  private corked: Redis['stream'] | null = null;

  override sendCommand(...[command, stream]: SendCommandArgs): unknown {
    const socket = this.stream;
    // Only a write ioredis makes now, on the ready socket: queued or refused commands write nothing.
    if (this.corked === null && stream === undefined && this.status === 'ready' && socket?.writable) {
      socket.cork();
      this.corked = socket;
      setImmediate(() => {
        this.corked = null;
        socket.uncork();
      });
    }
    return super.sendCommand(command, stream);
  }
}
