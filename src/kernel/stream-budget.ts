/**
 * How much printed text of one cell goes to the front end. A cell that prints megabytes would
 * make the notebook slow to render and save; past the budget its streams are dropped, and a
 * note says how much. (The course runner's own outputs are not limited: its logs keep all.)
 */
export const STREAM_BUDGET_CHARS = 1_000_000;

export class StreamBudget {
  private sent = 0;
  private droppedChars = 0;
  private droppedLines = 0;

  constructor(private readonly limit = STREAM_BUDGET_CHARS) {}

  /** The part of `text` that may still be sent ("" once the budget is spent). */
  take(text: string): string {
    const room = Math.max(0, this.limit - this.sent);
    const kept = text.length <= room ? text : text.slice(0, room);
    this.sent += kept.length;
    if (kept.length < text.length) {
      const rest = text.slice(kept.length);
      this.droppedChars += rest.length;
      this.droppedLines += rest.split("\n").length - 1;
    }
    return kept;
  }

  /** The note for the end of the cell, or undefined if nothing was dropped. */
  note(): string | undefined {
    if (this.droppedChars === 0) return undefined;
    const mb = (n: number) => (n / 1e6).toFixed(1);
    return `\n[output truncated: the cell printed ${mb(this.sent + this.droppedChars)} MB; the last ${this.droppedChars.toLocaleString("en")} characters (${this.droppedLines.toLocaleString("en")} lines) were dropped to keep the notebook responsive]\n`;
  }
}
