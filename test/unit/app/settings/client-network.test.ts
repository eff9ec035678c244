import { clientNetworkOf } from '../../../../app/settings/client-network';

describe('clientNetworkOf', () => {
  it('an IPv4 address is itself, in an IPv4-mapped IPv6 form too', () => {
    expect(clientNetworkOf('203.0.113.9')).toBe('203.0.113.9');
    expect(clientNetworkOf('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientNetworkOf('::FFFF:203.0.113.9')).toBe('203.0.113.9');
    // Spelt otherwise by a proxy: still the one IPv4 address, not the shared 0:0:0:0::/64.
    expect(clientNetworkOf('0:0:0:0:0:ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientNetworkOf('::ffff:cb00:7109')).toBe('203.0.113.9');
  });

  it('a port a proxy wrote beside the address is not part of the client', () => {
    expect(clientNetworkOf('203.0.113.9:5678')).toBe('203.0.113.9');
    expect(clientNetworkOf('[2001:db8:7:1::5]:443')).toBe('2001:db8:7:1::/64');
    expect(clientNetworkOf('[::ffff:203.0.113.9]')).toBe('203.0.113.9');
  });

  it('an IPv6 address is its /64, however it is spelt', () => {
    const network = '2001:db8:7:1::/64';
    for (const address of [
      '2001:db8:7:1::1',
      '2001:0db8:0007:0001:abcd:ef01:2345:6789',
      '2001:DB8:7:1:ffff::',
      '2001:db8:7:1::1%eth0',
    ])
      expect(clientNetworkOf(address)).toBe(network);
    expect(clientNetworkOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientNetworkOf('::1')).toBe('0:0:0:0::/64');
    expect(clientNetworkOf('64:ff9b::203.0.113.9')).toBe('64:ff9b:0:0::/64');
    expect(clientNetworkOf('2001:db8:7:2::1')).not.toBe(network);
  });

  it('anything else is kept as it is (no address: one shared client)', () => {
    expect(clientNetworkOf('')).toBe('');
    expect(clientNetworkOf('not-an-address')).toBe('not-an-address');
  });
});
