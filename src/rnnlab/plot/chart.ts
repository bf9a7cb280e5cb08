/**
 * A chart: one notebook output carrying three mime types.
 *  - application/vnd.vegalite.v5+json: interactive in JupyterLab and VS Code;
 *  - image/png: rendered here with vega (SVG) and resvg (svg-to-png.ts), for the classic Notebook,
 *    nbconvert HTML and PDF and GitHub; image/svg+xml instead where resvg cannot load. Not both:
 *    nbconvert picks the SVG when both are there, and its HTML sanitiser blanks inline SVG;
 *  - text/plain: a one-line summary, for terminals, logs and graders.
 *
 * Specs are written against the vega-lite v5 schema because that is the mime type the
 * notebook frontends render (v6 only drops deprecated features we do not use); the SVG is
 * rendered with the vega-lite 6.4 that ships with rnnlab.
 */
import { REPR, display, type DisplayHandle, type MimeBundle } from "../display";
import { svgToPng } from "./svg-to-png";
import { renderSvg } from "./vega-render";

export const VEGALITE_MIME = "application/vnd.vegalite.v5+json";
export const VEGALITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

export type VegaLiteSpec = Record<string, unknown>;

export class Chart {
  /** The vega-lite spec, with `$schema` set: ready for vega-embed, the vega editor or `JSON.stringify`. */
  readonly spec: VegaLiteSpec;
  private svgPromise?: Promise<string>;

  constructor(
    spec: VegaLiteSpec,
    /** The text/plain line, e.g. "LineChart: 2 series × 200 points, y log scale". */
    readonly summary: string,
  ) {
    this.spec = { $schema: VEGALITE_SCHEMA, ...spec };
  }

  /** The SVG, rendered once and cached (a chart is immutable once built). */
  toSVG(): Promise<string> {
    this.svgPromise ??= renderSvg(this.spec);
    return this.svgPromise;
  }

  /** The full mime bundle. If SVG rendering fails the chart still shows in vega-lite frontends,
   *  and the text/plain line says why the static image is missing instead of hiding the error. */
  async toMimeBundle(): Promise<MimeBundle> {
    const bundle: MimeBundle = { [VEGALITE_MIME]: this.spec, "text/plain": this.summary };
    let svg: string;
    try {
      svg = await this.toSVG();
    } catch (err) {
      bundle["text/plain"] = `${this.summary} (static SVG unavailable: ${(err as Error)?.message ?? err})`;
      return bundle;
    }
    try {
      const png = svgToPng(svg);
      if (png) bundle["image/png"] = png.toString("base64");
      else bundle["image/svg+xml"] = svg;
    } catch (err) {
      bundle["image/svg+xml"] = svg;
      bundle["text/plain"] = `${this.summary} (static PNG unavailable: ${(err as Error)?.message ?? err})`;
    }
    return bundle;
  }

  [REPR](): Promise<MimeBundle> {
    return this.toMimeBundle();
  }

  /** Shows the chart now (useful inside loops and functions, where the last expression is not shown). */
  show(): DisplayHandle {
    return display(this);
  }

  toString(): string {
    return this.summary;
  }
}

/** A chart with fixed HTML output (tables, coloured text, progress bars, plotly figures). */
export class HtmlView {
  constructor(
    readonly html: string,
    readonly text: string,
    private readonly extra: MimeBundle = {},
  ) {}

  toMimeBundle(): MimeBundle {
    return { "text/html": this.html, ...this.extra, "text/plain": this.text };
  }

  [REPR](): MimeBundle {
    return this.toMimeBundle();
  }

  show(): DisplayHandle {
    return display(this);
  }

  toString(): string {
    return this.text;
  }
}
