/**
 * feedback/<submission's path>.html: what a student may see of their grade. For each test: the
 * points, the status, what the visible checks printed (the ✔/✘ lines) and the visible error;
 * for the hidden tests only how many passed and failed. Never the hidden tests' source, their
 * printed lines or their error messages (which can quote expected values).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { SubmissionReport } from "./grade";
import type { TestOutcome } from "./score";

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/**
 * A name usable as one path segment, one to one: every character but letters, digits, "_" and
 * "-" (and "." after the first character) becomes %XX of its UTF-8 bytes, so "a b" and "a+b"
 * stay two folders and no segment is "." or "..".
 */
export const safeSegment = (s: string): string =>
  s.replace(/[^A-Za-z0-9_.-]|^\.|%/gu, (c) => [...Buffer.from(c, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("")) || "%00";

/**
 * A submission's feedback page in `feedbackDir`: its id's folders, then its notebook's name
 * (grading `submitted/` gives feedback/<student>/<assignment>/<notebook>.html).
 */
export function feedbackPage(feedbackDir: string, id: string): string {
  const segments = id.replace(/\.ipynb$/i, "").split("/").map(safeSegment);
  return path.join(feedbackDir, ...segments) + ".html";
}

export const feedbackPath = (out: string, id: string): string => feedbackPage(path.join(out, "feedback"), id);

const STATUS_TEXT: Record<string, string> = {
  passed: "passed", failed: "failed", "not-attempted": "not attempted", error: "did not run", timeout: "timed out",
  memory: "ran out of memory", exited: "the notebook stopped", invalid: "unreadable notebook", "no-source": "unknown notebook",
  refused: "refused", duplicate: "duplicate, not graded", "not-graded": "not graded yet",
};

function hiddenLine(o: TestOutcome): string {
  if (!o.hidden.present) return "";
  if (o.status !== "passed" && o.hidden.passed + o.hidden.failed === 0) return `<p class="hidden">Hidden tests: not reached.</p>`;
  const stopped = o.status !== "passed" && o.hidden.failed > 0 ? " (they stop at the first failure)" : "";
  return `<p class="hidden">Hidden tests: ${o.hidden.passed} passed, ${o.hidden.failed} failed${stopped}.</p>`;
}

function testSection(o: TestOutcome): string {
  const visible = o.visibleStdout.trim() ? `<pre class="out">${escapeHtml(o.visibleStdout.trimEnd())}</pre>` : "";
  const error = o.visibleError ? `<pre class="err">${escapeHtml(o.visibleError)}</pre>` : "";
  // Reasons that come from hidden tests quote their messages: students get the status only.
  const why = o.status === "passed" || o.status === "failed" ? "" : `<p class="why">${escapeHtml(o.reason)}</p>`;
  return `<section class="${o.status}">
<h2>${escapeHtml(o.exercise)} <small>(${escapeHtml(o.gradeId)})</small>: ${o.points} / ${o.maxPoints} — ${STATUS_TEXT[o.status] ?? o.status}</h2>
${why}${visible}${error}${hiddenLine(o)}
</section>`;
}

export function renderFeedback(r: SubmissionReport): string {
  const problems = r.problems.length ? `<h2>Problems</h2><ul>${r.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join("")}</ul>` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.notebook)} — ${escapeHtml(r.student)}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; max-width: 56rem; margin: 2rem auto; padding: 0 1rem; }
section { border-left: 4px solid #999; padding: 0.2rem 1rem; margin: 1rem 0; }
section.passed { border-color: #2a8a3e; } section.failed, section.error, section.timeout, section.memory, section.exited { border-color: #c0392b; }
pre { background: #f5f5f5; padding: 0.5rem; overflow-x: auto; white-space: pre-wrap; } pre.err { background: #fdecea; }
</style></head><body>
<h1>${escapeHtml(r.notebook)}: ${r.points} / ${r.maxPoints} points</h1>
<p>Student: ${escapeHtml(r.student)} (${escapeHtml(r.id)})${r.source !== r.notebook ? `, graded as ${escapeHtml(r.source)}` : ""}</p>
${problems}
${r.outcomes.map(testSection).join("\n")}
</body></html>
`;
}

export function writeFeedback(out: string, r: SubmissionReport): void {
  const file = feedbackPath(out, r.id);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, renderFeedback(r));
}
