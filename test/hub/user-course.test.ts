import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyCourse } from "../../src/grading/hub/user-course";

// The learner's copy of the released notebooks (the hub's pre-spawn hook, z2jh's postStart).
const made: string[] = [];
function folder(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-user-course-"));
  made.push(d);
  return d;
}
afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function release(): string {
  const r = folder();
  fs.writeFileSync(path.join(r, "00-welcome.ipynb"), "released 00");
  fs.writeFileSync(path.join(r, "01-vanilla-rnn.ipynb"), "released 01");
  fs.mkdirSync(path.join(r, "data"));
  fs.writeFileSync(path.join(r, "data", "names.txt"), "anna\n");
  return r;
}

describe("copyCourse", () => {
  it("copies the whole release on first login into a private folder", () => {
    const dest = path.join(folder(), "rnnlab-course");
    const r = copyCourse(release(), dest);
    expect(r.copied.sort()).toEqual(["00-welcome.ipynb", "01-vanilla-rnn.ipynb", path.join("data", "names.txt")]);
    expect(fs.statSync(dest).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(path.join(dest, "data", "names.txt"), "utf8")).toBe("anna\n");
  });

  it("never overwrites the learner's edited notebook, and brings back only what is missing", () => {
    const rel = release();
    const dest = path.join(folder(), "rnnlab-course");
    copyCourse(rel, dest);
    fs.writeFileSync(path.join(dest, "00-welcome.ipynb"), "my answers");
    fs.rmSync(path.join(dest, "01-vanilla-rnn.ipynb"));
    fs.writeFileSync(path.join(rel, "02-new.ipynb"), "released later");
    const r = copyCourse(rel, dest);
    expect(r.copied.sort()).toEqual(["01-vanilla-rnn.ipynb", "02-new.ipynb"]);
    expect(r.kept).toContain("00-welcome.ipynb");
    expect(fs.readFileSync(path.join(dest, "00-welcome.ipynb"), "utf8")).toBe("my answers");
  });

  it("refuses a course folder that is a symbolic link, naming the argument", () => {
    const elsewhere = folder();
    const dest = path.join(folder(), "rnnlab-course");
    fs.symlinkSync(elsewhere, dest);
    expect(() => copyCourse(release(), dest)).toThrow(/user-course: dest: expected a folder for the course, got .* a symbolic link/);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  it("names the released folder when it is missing", () => {
    expect(() => copyCourse(path.join(folder(), "nope"), folder())).toThrow(/user-course: released: expected the released notebooks folder/);
  });
});
