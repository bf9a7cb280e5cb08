/**
 * A chart's static image as a PNG, rasterised from vega's SVG with resvg (@resvg/resvg-js, whose
 * npm packages ship the native binary for each platform; nothing is downloaded or compiled).
 *
 * Why a PNG and not the SVG: the static image is what every viewer without a vega renderer shows
 * (classic Notebook, `jupyter nbconvert --to html`, GitHub, PDF). nbconvert 6.5's HTML templates
 * pass inline SVG through an HTML sanitiser that keeps only its text, so every plot came out
 * blank, and nbconvert prefers image/svg+xml over image/png when a bundle has both. A PNG shows
 * everywhere.
 *
 * resvg is loaded on the first chart, not when rnnlab is imported. If it cannot load (a platform
 * without a prebuilt binary), `svgToPng` returns undefined and charts keep their SVG.
 */
interface ResvgModule {
  Resvg: new (
    svg: string,
    options: { fitTo?: { mode: "zoom"; value: number }; font?: { loadSystemFonts?: boolean; defaultFontFamily?: string; sansSerifFamily?: string } },
  ) => { render(): { asPng(): Buffer } };
}

let resvg: ResvgModule | null | undefined;
let loadError: string | undefined;

function load(): ResvgModule | null {
  if (resvg !== undefined) return resvg;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    resvg = require("@resvg/resvg-js") as ResvgModule;
  } catch (err) {
    resvg = null;
    loadError = (err as Error).message;
  }
  return resvg;
}

/** Why PNGs are not made in this process, or undefined when they are. */
export function pngUnavailableReason(): string | undefined {
  load();
  return loadError;
}

/**
 * The SVG as PNG bytes at 1 px per SVG unit: the size vega draws the chart at, so the image
 * shows at its natural size without width metadata, and stays small in saved notebooks.
 * Text uses the system's sans-serif fonts (vega's default font family is sans-serif).
 */
export function svgToPng(svg: string): Buffer | undefined {
  const mod = load();
  if (!mod) return undefined;
  // resvg's own default sans-serif is Arial, which most Linux systems lack (text would vanish);
  // DejaVu Sans is the usual Linux default font.
  const font = process.platform === "linux" ? { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" } : { loadSystemFonts: true };
  return new mod.Resvg(svg, { fitTo: { mode: "zoom", value: 1 }, font }).render().asPng();
}
