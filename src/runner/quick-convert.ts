/**
 * A cell compiled without the type checker: TypeScript's transpileModule, which only strips
 * types, in the same shape tslab's converter gives (CommonJS; every top-level value exported so
 * later cells see it; the last expression stored as `tsLastExpr` so it becomes the result).
 *
 * The kernel uses this only for the cells that arrive while the checker is still loading (the
 * first second after start), and only for cells it can compile alone: cells that use nothing
 * an earlier such cell declared, with no relative imports, no namespaces, no exports and no
 * syntax errors. Anything else waits for the checker. The checker later checks these cells
 * too (converter-while-loading.ts), so their types reach the cells after them.
 */
import type * as TS from "@tslab/typescript-for-tslab";

export interface ConvertResult {
  output?: string;
  declOutput?: string;
  diagnostics: { start: { offset: number; line: number; character: number }; messageText: string; category: number; code: number; fileName?: string }[];
  hasToplevelAwait?: boolean;
  lastExpressionVar?: string;
  sideOutputs?: { path: string; data: string }[];
}

export interface QuickCell {
  result: ConvertResult;
  /** Top-level names the cell declares: values (exported) and types. */
  values: string[];
  types: string[];
}

let tsModule: typeof TS | undefined;
// Loaded on first use; tslab's executor has loaded the same module already.
const ts = (): typeof TS => (tsModule ??= require("@tslab/typescript-for-tslab") as typeof TS);

function bindingNames(name: TS.BindingName, out: string[]): void {
  const t = ts();
  if (t.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!t.isOmittedExpression(el)) bindingNames(el.name, out);
}

const hasModifier = (node: TS.Node, kind: TS.SyntaxKind): boolean =>
  (ts().canHaveModifiers(node) ? ts().getModifiers(node) ?? [] : []).some((m) => m.kind === kind);

/** The names a statement declares, or null when the statement needs the real converter. */
function declared(s: TS.Statement, values: string[], types: string[]): boolean {
  const t = ts();
  const K = t.SyntaxKind;
  if (hasModifier(s, K.ExportKeyword) || hasModifier(s, K.DeclareKeyword)) return false;
  if (t.isVariableStatement(s)) {
    for (const d of s.declarationList.declarations) bindingNames(d.name, values);
  } else if (t.isFunctionDeclaration(s) || t.isClassDeclaration(s)) {
    if (!s.name) return false;
    values.push(s.name.text);
  } else if (t.isEnumDeclaration(s)) {
    if (hasModifier(s, K.ConstKeyword)) return false;
    values.push(s.name.text);
  } else if (t.isInterfaceDeclaration(s) || t.isTypeAliasDeclaration(s)) {
    types.push(s.name.text);
  } else if (t.isImportDeclaration(s)) {
    const from = (s.moduleSpecifier as TS.StringLiteral).text;
    // Local .ts files are compiled by the converter as side outputs; leave them to it.
    if (from.startsWith(".") || from.startsWith("/")) return false;
    const clause = s.importClause;
    if (!clause || clause.isTypeOnly) return true;
    if (clause.name) values.push(clause.name.text);
    const nb = clause.namedBindings;
    if (nb && t.isNamespaceImport(nb)) values.push(nb.name.text);
    else if (nb) for (const el of nb.elements) if (!el.isTypeOnly) values.push(el.name.text);
  } else if (t.isModuleDeclaration(s) || t.isImportEqualsDeclaration(s) || t.isExportDeclaration(s) || t.isExportAssignment(s)) {
    return false;
  }
  return true;
}

/** Which kinds of `await` appear outside every function (and class). */
function topLevelAwaits(sf: TS.SourceFile): { await: boolean; forAwait: boolean } {
  const t = ts();
  const found = { await: false, forAwait: false };
  const visit = (n: TS.Node): void => {
    if (t.isFunctionLike(n) || t.isClassLike(n)) return;
    if (t.isAwaitExpression(n)) found.await = true;
    if (t.isForOfStatement(n) && n.awaitModifier) found.forAwait = true;
    t.forEachChild(n, visit);
  };
  t.forEachChild(sf, visit);
  return found;
}

const parse = (src: string): TS.SourceFile => ts().createSourceFile("__tslab__.ts", src, ts().ScriptTarget.ES2022, true, ts().ScriptKind.TS);

/**
 * tslab runs a cell in an async function only when it finds a top-level `await` expression,
 * not for a top-level `for await` loop, which then fails as a SyntaxError. The engine asks this
 * to run such cells as async too.
 */
export function hasTopLevelForAwait(src: string): boolean {
  return /for\s+await/.test(src) && topLevelAwaits(parse(src)).forAwait;
}

function identifiers(sf: TS.SourceFile): Set<string> {
  const t = ts();
  const out = new Set<string>();
  const visit = (n: TS.Node): void => {
    if (t.isIdentifier(n)) out.add(n.text);
    t.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/**
 * The longest cell the quick path takes. It runs in the kernel's thread, where nothing can stop
 * it: a cell of 8000 small functions took 2 s to parse there on a loaded machine, and an
 * interrupt waited for it. Longer cells wait for the checker's thread, and that wait an
 * interrupt can stop (compiler-thread.ts). The first cells of a notebook are far shorter.
 */
export const QUICK_CONVERT_MAX_CHARS = 20_000;

/**
 * Compiles `src` without type checking, or returns undefined when it must wait for the checker.
 * `earlier` holds the names earlier quick cells declared: a cell that mentions one of them
 * needs the checker to rewrite the reference (tslab reads earlier cells' values from `exports`).
 */
export function quickConvert(src: string, earlier: ReadonlySet<string>): QuickCell | undefined {
  if (src.length > QUICK_CONVERT_MAX_CHARS) return undefined;
  const t = ts();
  const sf = parse(src);
  if ((sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length > 0) return undefined;
  const values: string[] = [];
  const types: string[] = [];
  for (const s of sf.statements) if (!declared(s, values, types)) return undefined;
  for (const name of identifiers(sf)) if (earlier.has(name)) return undefined;

  // The last statement, if it is an expression, becomes the cell's result. (As in tslab, a
  // type declared after it leaves the cell without a result.)
  let body = src;
  let lastExpressionVar: string | undefined;
  const last = sf.statements[sf.statements.length - 1];
  if (last && t.isExpressionStatement(last)) {
    lastExpressionVar = "tsLastExpr";
    for (let i = 0; values.includes(lastExpressionVar) || types.includes(lastExpressionVar); i++) lastExpressionVar = `tsLastExpr${i}`;
    const start = last.getStart(sf);
    body = `${src.slice(0, start)}export const ${lastExpressionVar} = ${src.slice(start, last.expression.end)};${src.slice(last.end)}`;
  }
  if (values.length) body += `\nexport { ${values.join(", ")} }`;
  else if (!lastExpressionVar) body += "\nexport {};";
  const transpiled = t.transpileModule(body, {
    fileName: "__tslab__.ts",
    reportDiagnostics: true,
    compilerOptions: {
      module: t.ModuleKind.CommonJS,
      target: t.ScriptTarget.ES2022,
      esModuleInterop: true,
      experimentalDecorators: true,
      newLine: t.NewLineKind.LineFeed,
      // Like tslab's output: no "use strict" (an option TypeScript 5.0 reports as deprecated).
      noImplicitUseStrict: true,
      ignoreDeprecations: "5.0",
    },
  });
  if (transpiled.diagnostics?.length) return undefined;
  return {
    result: { output: transpiled.outputText, diagnostics: [], hasToplevelAwait: Object.values(topLevelAwaits(sf)).some(Boolean), lastExpressionVar },
    values,
    types,
  };
}
