/**
 * Feedback, both ways, as nbgrader's release_feedback and fetch_feedback:
 *
 * `npm run exchange -- return <assignment> [--submitted submitted] [--feedback build/grades/feedback]` (teacher)
 *   For each collected submission <submitted>/<student>/<assignment>/ and each notebook in it,
 *   the grader's feedback page <feedback>/<student>/<assignment>/<notebook>.html goes to the exchange as
 *   feedback/<md5(secret + notebook name)>.html. The feedback folder is 0711: a student cannot
 *   list it, and can open only the pages whose names their own secret gives.
 *
 * `npm run exchange -- fetch-feedback <assignment> [--dir DIR]` (student)
 *   For each of the student's submissions in their cache, the pages found by its secret are
 *   copied to <dir>/<assignment>/feedback/<timestamp>/<notebook>.html.
 */
import { feedbackPage } from "../grader/feedback";
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureFolder, notebooksUnder, writeAtomic } from "./files";
import { ExchangeError, MODES, checkId, courseFolders, feedbackHash, type AssignmentRef } from "./layout";

export interface ReturnOptions extends AssignmentRef {
  submitted: string;
  feedback: string;
  student?: string;
  log?: (msg: string) => void;
}

export interface Returned {
  student: string;
  notebook: string;
  file: string;
}

const notebookId = (rel: string) => path.basename(rel, ".ipynb");

export function returnFeedback(o: ReturnOptions): Returned[] {
  const log = o.log ?? console.log;
  const course = checkId("--course", o.course);
  const assignment = checkId("assignment", o.assignment);
  if (!fs.existsSync(o.submitted)) throw new ExchangeError(`return: --submitted: expected the folder collect wrote, got "${o.submitted}", which does not exist.`);
  if (!fs.existsSync(o.feedback)) throw new ExchangeError(`return: --feedback: expected the grader's feedback folder (<student>/<assignment>/<notebook>.html, from grading the submitted folder), got "${o.feedback}", which does not exist.`);
  const f = courseFolders(o.root, course);
  if (!fs.existsSync(f.course)) throw new ExchangeError(`return: expected the course folder ${f.course}, got nothing there; is --root or --course wrong?`);
  ensureFolder(f.feedback, MODES.feedback, (m) => log(`warning: ${m}`));

  const returned: Returned[] = [];
  const students = fs.readdirSync(o.submitted, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name).sort();
  for (const student of students.filter((s) => o.student === undefined || s === o.student)) {
    const sub = path.join(o.submitted, student, assignment);
    const secretFile = path.join(sub, "submission_secret.txt");
    if (!fs.existsSync(secretFile)) {
      if (fs.existsSync(sub)) log(`warning: ${student}: no submission_secret.txt in ${sub} (not collected from the exchange); no feedback returned.`);
      continue;
    }
    const secret = fs.readFileSync(secretFile, "utf8");
    for (const nb of notebooksUnder(sub)) {
      const page = feedbackPage(o.feedback, `${student}/${assignment}/${nb}`);
      if (!fs.existsSync(page)) {
        log(`warning: ${student}: no feedback page ${page}; grade first (npm run grade).`);
        continue;
      }
      const file = path.join(f.feedback, `${feedbackHash(secret, notebookId(nb))}.html`);
      writeAtomic(file, fs.readFileSync(page), MODES.feedbackFile);
      returned.push({ student, notebook: nb, file });
    }
  }
  log(`returned ${returned.length} feedback page(s) for ${course}/${assignment} to ${new Set(returned.map((r) => r.student)).size} student(s).`);
  return returned;
}

export interface FetchFeedbackOptions extends AssignmentRef {
  dir: string;
  cache: string;
  student?: string;
  log?: (msg: string) => void;
}

export function fetchFeedback(o: FetchFeedbackOptions): string[] {
  const log = o.log ?? console.log;
  const course = checkId("--course", o.course);
  const assignment = checkId("assignment", o.assignment);
  const { feedback } = courseFolders(o.root, course);
  if (!fs.existsSync(feedback)) throw new ExchangeError(`fetch-feedback: expected the feedback folder ${feedback}, got nothing there; no feedback has been returned yet.`);
  const cacheDir = path.join(o.cache, course);
  const mine = fs.existsSync(cacheDir)
    ? fs.readdirSync(cacheDir).filter((n) => {
        const [student, a] = n.split("+");
        return a === assignment && (o.student === undefined || student === o.student);
      })
    : [];
  if (mine.length === 0) throw new ExchangeError(`fetch-feedback: expected a submission of ${assignment} in your cache ${cacheDir}, got none; feedback is found through your own submissions.`);
  const fetched: string[] = [];
  for (const entry of mine.sort()) {
    const secretFile = path.join(cacheDir, entry, "submission_secret.txt");
    if (!fs.existsSync(secretFile)) continue;
    const secret = fs.readFileSync(secretFile, "utf8");
    const timestamp = entry.split("+").slice(2).join("+");
    for (const nb of notebooksUnder(path.join(cacheDir, entry))) {
      const page = path.join(feedback, `${feedbackHash(secret, notebookId(nb))}.html`);
      if (!fs.existsSync(page)) continue;
      const dest = path.resolve(o.dir, assignment, "feedback", timestamp, `${notebookId(nb)}.html`);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.copyFileSync(page, dest);
      fetched.push(dest);
    }
  }
  log(fetched.length ? `fetched feedback: ${fetched.join(", ")}` : `no feedback yet for ${course}/${assignment} (${mine.length} submission(s) in your cache).`);
  return fetched;
}
