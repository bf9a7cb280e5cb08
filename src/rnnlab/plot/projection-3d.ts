/**
 * Turning hidden states into 3-D points, and 3-D points into a flat picture:
 *  - PCA to 3 components (power iteration with deflation; no linear-algebra dependency) for
 *    states with more than 3 units, fitted on all series together so they share axes;
 *  - an orthographic camera (azimuth, elevation) for the static SVG fallback.
 */

export interface Pca {
  mean: number[];
  /** Unit-length principal directions, largest variance first. */
  components: number[][];
  /** Fraction of total variance along each component. */
  explained: number[];
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Top-k principal components of the rows of `points` (N×D). Deterministic start vectors. */
export function pca(points: readonly number[][], k: number): Pca {
  const n = points.length;
  const d = points[0].length;
  const mean = new Array<number>(d).fill(0);
  for (const p of points) for (let j = 0; j < d; j++) mean[j] += p[j] / n;
  const centred = points.map((p) => p.map((v, j) => v - mean[j]));
  const total = centred.reduce((s, p) => s + dot(p, p), 0) || 1;
  const components: number[][] = [];
  const explained: number[] = [];
  for (let c = 0; c < Math.min(k, d); c++) {
    let v = Array.from({ length: d }, (_, j) => Math.sin(1 + j * (c + 1.3)));
    let lambda = 0;
    for (let it = 0; it < 200; it++) {
      // w = Xᵀ X v, with earlier components projected out (deflation).
      const w = new Array<number>(d).fill(0);
      for (const p of centred) {
        const a = dot(p, v);
        for (let j = 0; j < d; j++) w[j] += a * p[j];
      }
      for (const u of components) {
        const a = dot(w, u);
        for (let j = 0; j < d; j++) w[j] -= a * u[j];
      }
      const norm = Math.sqrt(dot(w, w));
      if (norm < 1e-12) break;
      const next = w.map((x) => x / norm);
      const change = Math.abs(1 - Math.abs(dot(next, v)));
      v = next;
      lambda = norm;
      if (change < 1e-10) break;
    }
    components.push(v);
    explained.push(lambda / total);
  }
  while (components.length < k) {
    components.push(new Array<number>(d).fill(0));
    explained.push(0);
  }
  return { mean, components, explained };
}

export function projectRows(points: readonly number[][], model: Pca): number[][] {
  return points.map((p) => model.components.map((u) => dot(p.map((v, j) => v - model.mean[j]), u)));
}

/** Orthographic view of 3-D points: returns screen [x, y, depth] (y grows downward). */
export function orthographic(p: readonly number[], azimuthDeg: number, elevationDeg: number): [number, number, number] {
  const az = (azimuthDeg * Math.PI) / 180;
  const el = (elevationDeg * Math.PI) / 180;
  const [x, y, z] = p;
  const xr = x * Math.cos(az) - y * Math.sin(az);
  const yr = x * Math.sin(az) + y * Math.cos(az);
  const sy = z * Math.cos(el) - yr * Math.sin(el);
  const depth = z * Math.sin(el) + yr * Math.cos(el);
  return [xr, -sy, depth];
}
