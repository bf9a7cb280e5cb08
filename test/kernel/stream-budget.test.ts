import { describe, expect, it } from "vitest";
import { StreamBudget } from "../../src/kernel/stream-budget";

describe("StreamBudget", () => {
  it("passes text whole while it fits, and says nothing", () => {
    const b = new StreamBudget(10);
    expect(b.take("abc")).toBe("abc");
    expect(b.take("defg")).toBe("defg");
    expect(b.note()).toBeUndefined();
  });

  it("cuts at the limit, drops the rest, and counts what it dropped", () => {
    const b = new StreamBudget(10);
    expect(b.take("12345678")).toBe("12345678");
    expect(b.take("ab\ncd\nef")).toBe("ab");
    expect(b.take("more\n")).toBe("");
    // Dropped: "\ncd\nef" (6 characters, 2 newlines) and "more\n" (5, 1).
    expect(b.note()).toMatch(/the last 11 characters \(3 lines\) were dropped/);
  });
});
