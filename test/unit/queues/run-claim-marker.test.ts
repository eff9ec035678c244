import { runningJobOf } from '../../../queues/enqueue-inbound-once';

describe("an event's seen marker read for the job that runs it (the open-line gap hold)", () => {
  it('names the job of a run claim, running or done', () => {
    expect(runningJobOf('r:inb-AbC')).toBe('inb-AbC');
    expect(runningJobOf('d:inb-AbC')).toBe('inb-AbC');
    // A job id may itself hold a colon: only the two-letter prefix is read.
    expect(runningJobOf('r:in-x:y')).toBe('in-x:y');
  });

  it("names none for a door's marker, an older worker's, or no marker (the older claim key is read then)", () => {
    expect(runningJobOf('1')).toBeNull();
    expect(runningJobOf('w')).toBeNull();
    expect(runningJobOf(null)).toBeNull();
  });
});
