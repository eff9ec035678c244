import { runClaimOf } from '../../../queues/enqueue-inbound-once';

describe("an event's seen marker read for the claim of its run (the open-line gap hold)", () => {
  it('names the job of a run claim, and whether its run went to the end', () => {
    expect(runClaimOf('r:inb-AbC')).toEqual({ jobId: 'inb-AbC', done: false });
    expect(runClaimOf('d:inb-AbC')).toEqual({ jobId: 'inb-AbC', done: true });
    // A job id may itself hold a colon: only the two-letter prefix is read.
    expect(runClaimOf('r:in-x:y')).toEqual({ jobId: 'in-x:y', done: false });
  });

  it("names none for a door's marker, an older worker's, or no marker", () => {
    expect(runClaimOf('1')).toBeNull();
    expect(runClaimOf('w')).toBeNull();
    expect(runClaimOf(null)).toBeNull();
  });
});
