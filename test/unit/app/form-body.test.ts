import { normalizeFormArrays } from '../../../app/form-body';

describe('normalizeFormArrays', () => {
  it('turns numeric-keyed objects (qs over 20 items) back into ordered lists', () => {
    const files = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [String(i), `u${i}`]));
    const out = normalizeFormArrays({ properties: { files, text: 'x' } }) as { properties: { files: string[]; text: string } };
    expect(out.properties.files).toHaveLength(25);
    expect(out.properties.files[24]).toBe('u24');
    expect(out.properties.text).toBe('x');
  });
});
