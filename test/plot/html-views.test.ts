import { describe, expect, it } from "vitest";
import { plot } from "./plot-under-test";

describe("plot.textHeat", () => {
  it("colours each character and gives a text fallback", () => {
    const view = plot.textHeat("a<b", [-1, 0, 1]);
    const b = view.toMimeBundle();
    expect(Object.keys(b).sort()).toEqual(["text/html", "text/plain"]);
    const html = b["text/html"] as string;
    expect(html.match(/<span title=/g)).toHaveLength(3);
    expect(html).toContain("&lt;"); // escaped
    expect(html).toContain("background:rgb(33,102,172)"); // -1 → full blue
    expect(html).toContain("background:rgb(214,96,77)"); // +1 → full red
    expect(html).toContain('title="&quot;b&quot;: 1"');
    expect(b["text/plain"]).toBe("TextHeat: 3 chars, values -1…1\na<b\n█ █");
  });

  it("takes tokens and tensors, and names a length mismatch", () => {
    const tensorLike = { shape: [2], arraySync: () => [0.1, 0.9] };
    expect(plot.textHeat(["hello", " world"], tensorLike, { scale: "sequential" }).text).toMatch(/^TextHeat: 2 tokens/);
    expect(() => plot.textHeat("abc", [1, 2])).toThrow(/plot\.textHeat: values: expected 3 values \(one per character of text\), got 2/);
    expect(() => plot.textHeat(42 as never, [1])).toThrow(/plot\.textHeat: text: expected a string or an array of token strings, got 42/);
  });
});

describe("plot.topK", () => {
  it("shades by the probability of the true character and lists guesses on hover", () => {
    const view = plot.topK("ab", [[["a", 0.9], ["b", 0.1]], [{ token: "x", p: 0.7 }, { token: "y", p: 0.2 }]]);
    const html = view.html;
    expect(html).toContain("▶ &quot;a&quot; 90.0%");
    expect(html).toContain("not in top 2");
    expect(view.text.split("\n")[0]).toBe("TopK: 2 chars, mean p(actual) 0.45");
    expect(() => plot.topK("ab", [[["a", 0.9]]])).toThrow(/plot\.topK: guesses: expected 2 lists/);
    expect(() => plot.topK("a", [[{ char: "a" } as never]])).toThrow(/plot\.topK: guesses\[0\]\[0\]: expected \{ token: string, p: number \} or \[token, p\]/);
  });
});

describe("plot.table", () => {
  it("renders records as HTML and aligned text", () => {
    const t = plot.table([{ epoch: 1, loss: 0.5234 }, { epoch: 10, loss: 0.3 }], { caption: "run" });
    const b = t.toMimeBundle();
    expect(Object.keys(b).sort()).toEqual(["text/html", "text/plain"]);
    expect(b["text/html"]).toContain("<th style=\"text-align:right;padding:2px 8px;border-bottom:1px solid #999\">loss</th>");
    expect(b["text/plain"]).toBe(["Table: 2 rows × 2 columns (run)", "epoch   loss", "-----  -----", "    1  0.523", "   10    0.3"].join("\n"));
  });

  it("needs column names of the right length for arrays", () => {
    expect(plot.table([[1, "a"], [2, "b"]], { columns: ["n", "s"] }).text).toContain("n  s");
    expect(() => plot.table([[1, 2]], { columns: ["only"] })).toThrow(/plot\.table: options\.columns: expected 2 labels \(one per entry of a row\), got 1/);
    expect(() => plot.table("rows" as never)).toThrow(/plot\.table: rows: expected an array of records or an array of arrays, got "rows"/);
  });

  it("elides long tables", () => {
    const rows = Array.from({ length: 120 }, (_, i) => ({ i }));
    expect(plot.table(rows, { maxRows: 5 }).text).toContain("… 115 more rows");
  });
});
