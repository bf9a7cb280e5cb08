import { describe, expect, it } from "vitest";
import { describeDelay, feedbackHash, formatTimestamp, parseDue, parseSubmissionName, parseTimestamp, submissionName } from "../../src/grading/exchange/layout";

describe("the exchange's names, as nbgrader writes and reads them", () => {
  it("feedback pages are named by nbgrader's notebook_hash(secret, notebook_id)", () => {
    // Printed by nbgrader's own utils.notebook_hash(secret="s3cret", notebook_id="00-welcome").
    expect(feedbackHash("s3cret", "00-welcome")).toBe("e124ce67225cc23ed001e2328377c809");
  });

  it("timestamps use nbgrader's format in UTC and read back to the millisecond", () => {
    const d = new Date(Date.UTC(2026, 11, 1, 7, 5, 3, 42));
    expect(formatTimestamp(d)).toBe("2026-12-01 07:05:03.042000 UTC");
    expect(parseTimestamp(formatTimestamp(d), "t").getTime()).toBe(d.getTime());
    expect(() => parseTimestamp("yesterday", "timestamp.txt")).toThrow('timestamp.txt: expected a timestamp like "2026-12-01 17:00:00.000000 UTC", got "yesterday".');
  });

  it("a submission's name splits from the right, as nbgrader's collect does", () => {
    const name = submissionName("alice", "01-vanilla-rnn", "2026-12-01 07:05:03.042000 UTC");
    expect(name).toMatch(/^alice\+01-vanilla-rnn\+2026-12-01 07:05:03\.042000 UTC\+[A-Za-z0-9_-]{12}$/);
    expect(parseSubmissionName(name)).toMatchObject({ student: "alice", assignment: "01-vanilla-rnn" });
    expect(parseSubmissionName("a+b+01+2026-12-01 07:05:03.042000 UTC+xyz")).toMatchObject({ student: "a+b", assignment: "01" });
    expect(parseSubmissionName("notes.txt")).toBeUndefined();
  });

  it("a due date must carry its time zone", () => {
    expect(parseDue("2026-12-14T17:00+01:00").toISOString()).toBe("2026-12-14T16:00:00.000Z");
    expect(parseDue("2026-12-14T17:00Z").toISOString()).toBe("2026-12-14T17:00:00.000Z");
    expect(() => parseDue("2026-12-14T17:00")).toThrow(/--due: expected a date and time with its time zone.*got "2026-12-14T17:00"/);
  });

  it("delays read as days, hours and minutes, with seconds under an hour", () => {
    expect([describeDelay(1500), describeDelay(125_000), describeDelay(90_061_000)]).toEqual(["2 s", "2 min 5 s", "1 d 1 h 1 min"]);
  });
});
