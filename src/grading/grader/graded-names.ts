/**
 * What a source exercise cell declares, and the stand-in the test process runs in its place.
 *
 * The test process never runs a student's code. Where the notebook has an exercise cell, it runs
 * a stand-in made from the *source* cell's declarations: each function keeps its signature
 * (so the test cells type-check exactly as in the notebook) and its body forwards the call to
 * the student's process; each constant is fetched from there once; each class becomes a
 * constructor whose instances live in the student's process (the test calls their methods).
 * Types, interfaces and imports are kept as the teacher wrote them; statements that only run
 * code are left out.
 */
import { AuthoringError } from "../exercise-cells";

/** Where the test process's stand-ins reach the channel (set by the test worker, never by student code). */
export const CALL_KEY = "rnnlab.grader.call";
export const GET_KEY = "rnnlab.grader.get";
export const NEW_KEY = "rnnlab.grader.new";

export interface GradedCell {
  /** The names the student's process must provide, in declaration order. */
  names: string[];
  /** The TypeScript the test process runs instead of the exercise cell. */
  standIn: string;
}

// eslint-disable-next-line @typescript-eslint/no-var-requires
const loadTs = (): typeof import("typescript") => require("@tslab/typescript-for-tslab");

export function gradedCellOf(source: string, gradeId: string): GradedCell {
  const ts = loadTs();
  const file = ts.createSourceFile(`${gradeId}.ts`, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const names: string[] = [];
  const parts: string[] = [];
  const call = (name: string, args: string) => `(globalThis as any)[Symbol.for(${JSON.stringify(CALL_KEY)})](${JSON.stringify(name)}, ${args})`;
  for (const stmt of file.statements) {
    const text = stmt.getText(file);
    if (ts.isFunctionDeclaration(stmt)) {
      if (!stmt.name) throw new AuthoringError(`exercise cell ${gradeId}: a function without a name cannot be graded`);
      const name = stmt.name.text;
      if (!stmt.body) {
        parts.push(text); // an overload signature
        continue;
      }
      if (!names.includes(name)) names.push(name);
      const head = source.slice(stmt.getStart(file), stmt.body.getStart(file)).replace(/^export\s+/, "").replace(/\basync\s+/, "");
      parts.push(`${head}{\n  return ${call(name, "Array.from(arguments)")};\n}`);
    } else if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) throw new AuthoringError(`exercise cell ${gradeId}: destructuring declarations cannot be graded (${d.name.getText(file)})`);
        const name = d.name.text;
        if (!names.includes(name)) names.push(name);
        const type = d.type ? `: ${d.type.getText(file)}` : ": any";
        const init = d.initializer;
        const isFunction = !!init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init));
        const value = isFunction
          ? `((...args: any[]) => ${call(name, "args")}) as any`
          : `(globalThis as any)[Symbol.for(${JSON.stringify(GET_KEY)})](${JSON.stringify(name)})`;
        parts.push(`const ${name}${type} = ${value};`);
      }
    } else if (ts.isClassDeclaration(stmt)) {
      // `new X(…)` in a test builds the instance in the student's process and gets a stand-in whose
      // methods forward there; its type is the test's to assert, so the stand-in is `any`.
      if (!stmt.name) throw new AuthoringError(`exercise cell ${gradeId}: a class without a name cannot be graded`);
      const name = stmt.name.text;
      if (!names.includes(name)) names.push(name);
      // A type of the same name keeps signatures that mention the class (`s: Scaler`) valid.
      parts.push(`type ${name} = any;\nconst ${name}: any = (globalThis as any)[Symbol.for(${JSON.stringify(NEW_KEY)})](${JSON.stringify(name)});`);
    } else if (ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt) || ts.isImportDeclaration(stmt) || ts.isEnumDeclaration(stmt)) {
      parts.push(text);
    }
    // Anything else only runs code (a demo call, a print): the test process has no use for it.
  }
  if (names.length === 0) throw new AuthoringError(`exercise cell ${gradeId} declares no function or constant to grade`);
  return { names, standIn: parts.join("\n") };
}
