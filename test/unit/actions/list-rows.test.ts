import { parseListRows } from '../../../actions/list-rows';
import { templateComponents } from '../../../actions/send-template';

describe('send_list rows', () => {
  it('reads "title|description" lines', () => {
    expect(parseListRows(['Экспресс|1–2 дня', 'Обычная', ' Самовывоз | '])).toEqual([
      { title: 'Экспресс', description: '1–2 дня' },
      { title: 'Обычная' },
      { title: 'Самовывоз' },
    ]);
  });

  it('counts characters, not UTF-16 units, against the limits', () => {
    expect(parseListRows(['🚚'.repeat(24)])).toHaveLength(1);
    expect(() => parseListRows(['🚚'.repeat(25)])).toThrow(/title at most 24/);
  });

  it.each([
    [Array.from({ length: 11 }, (_, i) => `r${i}`), /at most 10/],
    [['x'.repeat(25)], /line 1: title at most 24/],
    [['ok', `ok|${'d'.repeat(73)}`], /line 2: description at most 72/],
    [['|only description'], /line 1: empty title/],
  ])('refuses %#', (rows, message) => {
    expect(() => parseListRows(rows)).toThrow(message);
  });
});

describe('send_template components', () => {
  it('maps header, body and one quick-reply component per button payload', () => {
    expect(templateComponents(['H'], ['a', 'b'], ['P1'])).toEqual([
      { type: 'header', parameters: [{ type: 'text', text: 'H' }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
      { type: 'button', subType: 'quick_reply', index: 0, parameters: [{ type: 'payload', text: 'P1' }] },
    ]);
  });

  it('leaves out empty parts', () => {
    expect(templateComponents([], [], [])).toEqual([]);
  });
});
