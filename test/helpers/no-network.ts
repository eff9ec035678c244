/**
 * Unit tests are pure: a unit test that opens a network connection (HTTP, Redis) or starts a server
 * fails at once, naming where such a test belongs. Restored after each file (jest workers are shared).
 */
import net from 'node:net';

const { connect } = net.Socket.prototype;
const { listen } = net.Server.prototype;
const refuse = (what: string) => () => {
  throw new Error(`unit tests must not ${what}: move the test to test/integration (Redis, the app) or test/simulators`);
};

beforeAll(() => {
  net.Socket.prototype.connect = refuse('open network connections') as unknown as typeof connect;
  net.Server.prototype.listen = refuse('start servers') as unknown as typeof listen;
});

afterAll(() => {
  net.Socket.prototype.connect = connect;
  net.Server.prototype.listen = listen;
});
