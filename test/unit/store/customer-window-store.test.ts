import { decideWindow, WINDOW_MARGIN_MS, WINDOW_MS } from '../../../store/customer-window-store';

const NOW = Date.UTC(2026, 11, 1, 12);

describe('decideWindow', () => {
  it('open for 24 hours from the last message, the last minutes counted as closed', () => {
    const last = NOW - 10 * 3_600_000;
    expect(decideWindow({ lastInboundAt: last }, NOW)).toEqual({
      open: true,
      closesAt: last + WINDOW_MS,
      lastInboundAt: last,
    });
    const edge = NOW - WINDOW_MS + WINDOW_MARGIN_MS - 1;
    expect(decideWindow({ lastInboundAt: edge }, NOW).open).toBe(false);
    expect(decideWindow({ lastInboundAt: NOW - 7 * WINDOW_MS }, NOW)).toMatchObject({ open: false });
  });

  it('no message: closed when the line was tracked a whole window, else unknown (WhatsApp decides)', () => {
    expect(decideWindow({ trackingSince: NOW - WINDOW_MS }, NOW)).toEqual({ open: false });
    expect(decideWindow({ trackingSince: NOW - 3_600_000 }, NOW)).toEqual({ open: null });
    expect(decideWindow({}, NOW)).toEqual({ open: null });
  });
});
