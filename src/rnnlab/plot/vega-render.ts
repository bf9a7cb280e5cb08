/**
 * Lazy, once-only loading of vega and vega-lite, and spec → SVG rendering in Node.
 *
 * Both packages are ESM-only and take ~300 ms to import, so importing rnnlab must not load them.
 * tsconfig uses module node16, which keeps `import()` a real dynamic import in the CommonJS
 * output (a `require()` would fail on an ESM-only package). The promise is cached so every chart
 * shares one load; a failed load is forgotten so the next chart can retry.
 */
/** The few entry points we use, typed structurally: type-importing an ESM-only package from a
 *  CommonJS module needs `resolution-mode` syntax that the TypeScript bundled with tslab (5.0)
 *  does not parse, and `npm run build` may run that compiler. */
export interface VegaModule {
  parse(spec: object): object;
  View: new (runtime: object, options: { renderer: "none" | "svg" | "canvas" }) => {
    toSVG(): Promise<string>;
    finalize(): void;
  };
}
export interface VegaLiteModule {
  compile(spec: object): { spec: object };
}
export interface VegaModules {
  vega: VegaModule;
  vegaLite: VegaLiteModule;
}

let loading: Promise<VegaModules> | undefined;

export function loadVega(): Promise<VegaModules> {
  loading ??= Promise.all([import("vega"), import("vega-lite")]).then(
    ([vega, vegaLite]) => ({ vega: vega as unknown as VegaModule, vegaLite: vegaLite as unknown as VegaLiteModule }),
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

/** Whether vega has been loaded in this process (importing rnnlab alone must leave this false). */
export function vegaLoaded(): boolean {
  return loading !== undefined;
}

/** Compiles a vega-lite spec and renders it headless to an SVG string (no canvas needed). */
export async function renderSvg(vegaLiteSpec: object): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const compiled = vegaLite.compile(vegaLiteSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
