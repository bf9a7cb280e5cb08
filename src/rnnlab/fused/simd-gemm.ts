/**
 * The fused kernels' small matrix products in WebAssembly with SIMD: simd/gemm.as.ts, compiled
 * by `npm run build`. At the sizes of the course's toy problems (B 8, H 16) a product is a few
 * thousand multiply-adds: too small for a tfjs op, whose fixed cost is tens of microseconds, and
 * 2–5× faster here than in plain JavaScript, copies in and out included.
 *
 * Operands are copied into one scratch area of the module's memory, multiplied there, and the
 * result copied back. When the module cannot be loaded (not built, or no WebAssembly SIMD) the
 * products stay in JavaScript: `simdGemmStatus()` says which and why.
 */
import * as fs from "node:fs";
import * as path from "node:path";

interface Memory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface GemmExports {
  gemm(out: number, a: number, b: number, m: number, k: number, n: number, aRow: number, aCol: number, accumulate: number): void;
  memory: Memory;
}
/** Node's WebAssembly global (the ES2022 lib this project compiles against does not declare it). */
const { WebAssembly } = globalThis as unknown as {
  WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object, imports: object) => { exports: unknown } };
};

/** The built module: beside this file in dist/, or in dist/ when running from the sources. */
const CANDIDATES = [path.join(__dirname, "simd", "gemm.wasm"), path.resolve(__dirname, "../../../dist/rnnlab/fused/simd/gemm.wasm")];

/** The scratch area starts past the module's own static data (the first page). */
const BASE = 65536;

let wasm: GemmExports | null = null;
let status = "";
try {
  const file = CANDIDATES.find((f) => fs.existsSync(f));
  if (!file) throw new Error(`not built: none of ${CANDIDATES.join(", ")} exists (run npm run build)`);
  const module = new WebAssembly.Module(fs.readFileSync(file));
  wasm = new WebAssembly.Instance(module, { env: { abort: () => { throw new Error("gemm.wasm aborted"); } } }).exports as unknown as GemmExports;
  status = `WebAssembly SIMD (${path.relative(process.cwd(), file) || file})`;
} catch (err) {
  status = `JavaScript: the SIMD module did not load: ${(err as Error).message}`;
}

let heap = wasm ? new Float32Array(wasm.memory.buffer) : new Float32Array(0);

/** Where the fused kernels' small products run, and why. */
export function simdGemmStatus(): { simd: boolean; detail: string } {
  return { simd: wasm !== null, detail: status };
}

export const simdGemmAvailable = (): boolean => wasm !== null;

function reserve(floats: number): void {
  const need = BASE + floats * 4;
  const memory = wasm!.memory;
  if (memory.buffer.byteLength < need) {
    memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
    heap = new Float32Array(memory.buffer);
  }
}

/**
 * out[outOffset…][m×n] (+)= A·b[k×n], with A = a[aOffset…] as [m×k], or read as the transpose
 * of a [k×m] array when `transposeA` (weight gradients: ∂XPᵀ·X without transposing first).
 */
export function simdGemm(
  out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number,
  accumulate: boolean, transposeA: boolean, aOffset = 0, outOffset = 0,
): void {
  const aSize = m * k;
  const bSize = k * n;
  const outSize = m * n;
  reserve(aSize + bSize + outSize);
  const pa = BASE / 4;
  const pb = pa + aSize;
  const po = pb + bSize;
  heap.set(a.subarray(aOffset, aOffset + aSize), pa);
  heap.set(b.subarray(0, bSize), pb);
  if (accumulate) heap.set(out.subarray(outOffset, outOffset + outSize), po);
  const [aRow, aCol] = transposeA ? [1, m] : [k, 1];
  wasm!.gemm(po * 4, pa * 4, pb * 4, m, k, n, aRow, aCol, accumulate ? 1 : 0);
  out.set(heap.subarray(po, po + outSize), outOffset);
}
