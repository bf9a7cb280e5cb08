/**
 * Large heatmaps as one embedded PNG instead of one SVG path per cell.
 *
 * A 128-unit × 200-step state heatmap is 25,600 cells: drawn as vector rects that is a ~4 MB SVG
 * plus ~1 MB of spec data in every saved notebook. Above a size threshold the cells become a
 * PNG (encoded here with node:zlib; no image package), placed in the vega-lite spec as an
 * `image` mark; the axes and the colour legend still come from vega-lite, fed tiny index data.
 * Each cell is drawn as a whole block of pixels so the picture stays crisp at its natural size.
 *
 * The colour maps are sampled from vega's own schemes (11 stops each, taken from vega 6.4) and
 * passed to the legend as explicit stops, so legend and pixels use the same mapping.
 */
import { deflateSync } from "node:zlib";

export const RASTER_SCHEMES: Record<string, readonly (readonly [number, number, number])[]> = {
  blueorange: [[19, 75, 133], [47, 120, 179], [93, 162, 203], [157, 202, 225], [210, 229, 239], [242, 240, 235], [252, 224, 186], [251, 191, 116], [232, 147, 47], [197, 105, 13], [153, 74, 7]],
  viridis: [[68, 1, 84], [72, 37, 117], [65, 68, 135], [53, 96, 141], [42, 120, 142], [33, 145, 141], [34, 168, 132], [67, 191, 113], [122, 209, 81], [188, 223, 39], [253, 231, 37]],
  greys: [[226, 226, 226], [212, 212, 212], [196, 196, 196], [177, 177, 177], [157, 157, 157], [136, 136, 136], [117, 117, 117], [98, 98, 98], [77, 77, 77], [53, 53, 53], [30, 30, 30]],
};

/** Colour of t in [0, 1] on a scheme: linear interpolation between neighbouring stops. */
export function schemeColor(stops: readonly (readonly [number, number, number])[], t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  return [0, 1, 2].map((k) => Math.round(stops[i][k] + (stops[i + 1][k] - stops[i][k]) * f)) as [number, number, number];
}

/** The vega-lite colour scale that matches the raster: same domain, same stops. */
export function rasterColorScale(scheme: string, domain: [number, number]): Record<string, unknown> {
  const stops = RASTER_SCHEMES[scheme];
  const [lo, hi] = domain;
  return {
    domain: stops.map((_, i) => lo + ((hi - lo) * i) / (stops.length - 1)),
    range: stops.map(([r, g, b]) => `rgb(${r},${g},${b})`),
    interpolate: "rgb",
  };
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < buf.length; i++) crc = CRC_TABLE[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** An RGB PNG (8 bits per channel, no filtering) from `rgb` laid out row by row. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter type: none
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, pngChunk("IHDR", header), pngChunk("IDAT", deflateSync(raw, { level: 9 })), pngChunk("IEND", Buffer.alloc(0))]);
}

/**
 * The matrix as a PNG data URL, each cell cellW × cellH pixels. NaN cells are light grey.
 * `domain` maps to the ends of the scheme.
 */
export function matrixToPngDataUrl(m: number[][], cellW: number, cellH: number, scheme: string, domain: [number, number]): string {
  const stops = RASTER_SCHEMES[scheme];
  const rows = m.length;
  const cols = m[0].length;
  const width = cols * cellW;
  const height = rows * cellH;
  const rgb = new Uint8Array(width * height * 3);
  const [lo, hi] = domain;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = m[r][c];
      const color = Number.isFinite(v) ? schemeColor(stops, (v - lo) / (hi - lo || 1)) : [235, 235, 235];
      for (let y = r * cellH; y < (r + 1) * cellH; y++) {
        for (let x = c * cellW; x < (c + 1) * cellW; x++) rgb.set(color, (y * width + x) * 3);
      }
    }
  }
  return `data:image/png;base64,${encodePng(width, height, rgb).toString("base64")}`;
}
