import { parseCommandLine } from '../../../cli/cli-args';

describe('CLI arguments', () => {
  it('parses a command, its flags and positionals', () => {
    expect(parseCommandLine(['lines', 'remove', 'sales', '--portal', 'm1'])).toEqual({
      command: 'lines remove',
      sub: 'remove',
      flags: { portal: 'm1' },
      positional: ['sales'],
    });
    expect(
      parseCommandLine(['lines', 'add', '--portal=m1', '--phone-number-id', '1', '--access-token', 't']).flags,
    ).toEqual({
      portal: 'm1',
      'phone-number-id': '1',
      'access-token': 't',
    });
  });

  it('a mistyped flag is an error naming it', () => {
    expect(() => parseCommandLine(['lines', 'add', '--portal', 'm1', '--phone-numberid', '1'])).toThrow(
      /--phone-numberid/,
    );
  });

  it("another command's flag is an error too", () => {
    expect(() => parseCommandLine(['lines', 'list', '--phone', '7916'])).toThrow(/--phone/);
  });

  it('a flag without its value is an error', () => {
    expect(() => parseCommandLine(['lines', 'list', '--portal'])).toThrow(/--portal/);
  });

  it('a switch takes no value: --refresh is "true" when given', () => {
    expect(parseCommandLine(['templates', 'list', '--line', 'main', '--refresh']).flags).toEqual({
      line: 'main',
      refresh: 'true',
    });
    expect(parseCommandLine(['templates', 'list', '--line', 'main']).flags).toEqual({ line: 'main' });
    expect(() => parseCommandLine(['templates', 'list', '--refresh=yes'])).toThrow(/--refresh/);
  });

  it('an unknown command lists the commands', () => {
    expect(() => parseCommandLine(['lines', 'purge'])).toThrow(/unknown command "lines purge"[\s\S]*lines add/);
  });
});
