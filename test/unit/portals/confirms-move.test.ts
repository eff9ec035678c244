import { confirmsMove } from '../../../portals/install-portal';

describe('confirmsMove', () => {
  const offered = { memberId: 'victim', clientEndpoint: 'https://new-name.bitrix24.ru/rest/' };

  it('accepts the OAuth server naming the same member at the offered address', () => {
    expect(confirmsMove(offered, { memberId: 'victim', clientEndpoint: 'https://new-name.bitrix24.ru/rest/' })).toBe(
      true,
    );
  });

  it('refuses a valid token of another portal (another member id)', () => {
    expect(confirmsMove(offered, { memberId: 'attacker', clientEndpoint: 'https://new-name.bitrix24.ru/rest/' })).toBe(
      false,
    );
  });

  it('refuses when the OAuth server places the member elsewhere', () => {
    expect(confirmsMove(offered, { memberId: 'victim', clientEndpoint: 'https://old-name.bitrix24.ru/rest/' })).toBe(
      false,
    );
  });
});
