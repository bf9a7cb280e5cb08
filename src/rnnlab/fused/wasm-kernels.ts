/**
 * The fused kernels' WebAssembly (SIMD) parts, compiled from simd/*.as.ts by `npm run build`:
 * - gemm: the small matrix products. At the course's toy sizes (B 8, H 16) a product is a few
 *   thousand multiply-adds, too small for a tfjs op, whose fixed cost is tens of microseconds,
 *   and 2–5× faster here than in plain JavaScript, copies in and out included;
 * - the vanilla RNN's whole time loop, forwards and backwards (simd/rnn.as.ts): a small RNN's
 *   step is so cheap that crossing into WebAssembly twice per timestep would dominate it;
 * - the LSTM's gates for one timestep, forwards and backwards (simd/lstm.as.ts), four units per
 *   f32x4, and its whole time loop (the same gates after each step's product);
 * - the reset-after GRU's gates for one timestep (simd/gru.as.ts), and the reset-before GRU's
 *   whole step after the driver's product (simd/gru-reset-before.as.ts).
 *
 * Operands are copied into a scratch area of the module's memory, computed there, and the
 * results copied back. When the module cannot be loaded (not built, or no WebAssembly SIMD)
 * everything stays in JavaScript: `wasmKernelsStatus()` says which and why.
 */
import * as fs from "node:fs";
import * as path from "node:path";

interface Memory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface KernelExports {
  memory: Memory;
  gemm(out: number, a: number, b: number, m: number, k: number, n: number, aRow: number, aCol: number, accumulate: number): void;
  rnnForward(y: number, xp: number, b: number, whhT: number, h0: number, hp: number, T: number, B: number, H: number, reverse: number, relu: number): void;
  rnnBackward(dxp: number, dy: number, y: number, whh: number, dh: number, T: number, B: number, H: number, reverse: number, relu: number): void;
  lstmGatesForward(xp: number, hp: number, b: number, cPrev: number, h: number, c: number, acts: number, tanhC: number, B: number, H: number): void;
  lstmGatesBackward(dh: number, dc: number, acts: number, cPrev: number, tanhC: number, dxp: number, B: number, H: number): void;
  gruGatesForward(xp: number, hp: number, bSum: number, bIh: number, bHh: number, hPrev: number, h: number, acts: number, hpN: number, B: number, H: number): void;
  gruGatesBackward(dh: number, acts: number, hpN: number, hPrev: number, dxp: number, dhp: number, dhPrevDirect: number, B: number, H: number): void;
  gruRbStepForward(xp: number, hp: number, bSum: number, hPrev: number, whnT: number, u: number, acts: number, resetH: number, h: number, B: number, H: number): void;
  gruRbStepBackward(dh: number, acts: number, hPrev: number, whn: number, dAn: number, dResetH: number, dxp: number, dhp: number, dhPrevDirect: number, B: number, H: number): void;
  lstmForward(
    y: number, xp: number, b: number, whhT: number, h0: number, c0: number, c: number, hp: number,
    acts: number, cPrevs: number, tanhCs: number, T: number, B: number, H: number, reverse: number, record: number,
  ): void;
  lstmBackward(
    dxp: number, dy: number, acts: number, cPrevs: number, tanhCs: number, whh: number, dh: number, dc: number, g: number,
    T: number, B: number, H: number, reverse: number,
  ): void;
}
/** Node's WebAssembly global (the ES2022 lib this project compiles against does not declare it). */
const { WebAssembly } = globalThis as unknown as {
  WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object, imports: object) => { exports: unknown } };
};

/** The built module: beside this file in dist/, or in dist/ when running from the sources. */
const CANDIDATES = [path.join(__dirname, "simd", "kernels.wasm"), path.resolve(__dirname, "../../../dist/rnnlab/fused/simd/kernels.wasm")];

/** The scratch area starts past the module's own static data (the first page). */
const BASE = 65536;

let wasm: KernelExports | null = null;
let status = "";
try {
  const file = CANDIDATES.find((f) => fs.existsSync(f));
  if (!file) throw new Error(`not built: none of ${CANDIDATES.join(", ")} exists (run npm run build)`);
  const module = new WebAssembly.Module(fs.readFileSync(file));
  wasm = new WebAssembly.Instance(module, { env: { abort: () => { throw new Error("kernels.wasm aborted"); } } }).exports as unknown as KernelExports;
  status = `WebAssembly SIMD (${file})`;
} catch (err) {
  status = `JavaScript: the WebAssembly module did not load: ${(err as Error).message}`;
}

let heap = wasm ? new Float32Array(wasm.memory.buffer) : new Float32Array(0);

/** Where the fused kernels' small products and RNN loops run, and why. */
export function wasmKernelsStatus(): { simd: boolean; detail: string } {
  return { simd: wasm !== null, detail: status };
}

export const wasmKernelsAvailable = (): boolean => wasm !== null;

/**
 * Operands pinned for a whole sequence (a layer's W_hh, used at every timestep) sit from BASE
 * up to `pinnedTop`; released all together when the last one is.
 */
let pinnedTop = BASE;
let pinnedCount = 0;

/** A bump allocator over the module's memory past the pinned operands, emptied at the start of every call below. */
let top = BASE;
function alloc(floats: number): number {
  const at = top;
  top += Math.ceil(floats / 4) * 16; // 16-byte aligned, for the SIMD loads
  const memory = wasm!.memory;
  if (memory.buffer.byteLength < top) {
    try {
      memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
    } catch (err) {
      // The LSTM's time loop keeps a whole sequence's products and tape here (about 45 bytes
      // per row per hidden unit): say which limit was hit rather than wasm's bare RangeError.
      throw new RangeError(
        `rnnlab fused kernels: a sequence needs ${(top / 2 ** 20).toFixed(0)} MB of WebAssembly memory, more than it can grow to ` +
          `(${(err as Error).message}); use shorter sequences (trainTBPTT) or a smaller batch.`,
      );
    }
    heap = new Float32Array(memory.buffer);
  }
  return at;
}
function put(a: Float32Array, from = 0, n = a.length - from): number {
  const at = alloc(n);
  heap.set(a.subarray(from, from + n), at / 4);
  return at;
}

/** A right-hand operand copied into the module's memory once, for many simdGemmPinned calls. */
export interface PinnedOperand {
  readonly at: number;
  readonly k: number;
  readonly n: number;
}

/** Copies b [k×n] into the module's memory until unpin(); pins and unpins happen per sequence. */
export function pin(b: Float32Array, k: number, n: number): PinnedOperand {
  top = pinnedTop;
  const at = put(b, 0, k * n);
  pinnedTop = top;
  pinnedCount++;
  return { at, k, n };
}

export function unpin(_operand: PinnedOperand): void {
  if (--pinnedCount === 0) pinnedTop = BASE;
}

/**
 * Empties the module's memory bookkeeping. A cell stopped in the middle of a sequence (an
 * interrupt, a time limit) never reaches its unpin(), and a stop between a grow and the new
 * view leaves `heap` on the old buffer; every later sequence would then build on that state.
 * The notebook engines call this (through the global hook below) after a failed or stopped cell,
 * when no sequence can be running.
 */
export function resetWasmKernelMemory(): void {
  pinnedTop = BASE;
  pinnedCount = 0;
  top = BASE;
  if (wasm) heap = new Float32Array(wasm.memory.buffer);
}
(globalThis as Record<symbol, unknown>)[Symbol.for("rnnlab.resetAfterStoppedCell")] = resetWasmKernelMemory;

/** out[outOffset…][m×n] (+)= a[aOffset…][m×k] · b, with b pinned: only a and out cross. */
export function simdGemmPinned(out: Float32Array, a: Float32Array, b: PinnedOperand, m: number, accumulate: boolean, aOffset = 0, outOffset = 0): void {
  top = pinnedTop;
  const { k, n } = b;
  const pa = put(a, aOffset, m * k);
  const po = accumulate ? put(out, outOffset, m * n) : alloc(m * n);
  wasm!.gemm(po, pa, b.at, m, k, n, k, 1, accumulate ? 1 : 0);
  out.set(heap.subarray(po / 4, po / 4 + m * n), outOffset);
}

/**
 * out[outOffset…][m×n] (+)= A·b[k×n], with A = a[aOffset…] as [m×k], or read as the transpose
 * of a [k×m] array when `transposeA` (weight gradients: ∂XPᵀ·X without transposing first).
 */
export function simdGemm(
  out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number,
  accumulate: boolean, transposeA: boolean, aOffset = 0, outOffset = 0,
): void {
  top = pinnedTop;
  const pa = put(a, aOffset, m * k);
  const pb = put(b, 0, k * n);
  const po = accumulate ? put(out, outOffset, m * n) : alloc(m * n);
  const [aRow, aCol] = transposeA ? [1, m] : [k, 1];
  wasm!.gemm(po, pa, pb, m, k, n, aRow, aCol, accumulate ? 1 : 0);
  out.set(heap.subarray(po / 4, po / 4 + m * n), outOffset);
}

/** The vanilla RNN forwards over a whole sequence (simd/rnn.as.ts), writing y [T·B, H]. */
export function rnnSequenceForward(
  y: Float32Array, xp: Float32Array, bSum: Float32Array, whhT: Float32Array, h0: Float32Array,
  T: number, B: number, H: number, reverse: boolean, relu: boolean,
): void {
  top = pinnedTop;
  const pxp = put(xp);
  const pb = put(bSum);
  const pw = put(whhT);
  const ph0 = put(h0);
  const py = alloc(T * B * H);
  const php = alloc(B * H);
  wasm!.rnnForward(py, pxp, pb, pw, ph0, php, T, B, H, reverse ? 1 : 0, relu ? 1 : 0);
  y.set(heap.subarray(py / 4, py / 4 + T * B * H));
}

/** Its backward pass: fills dxp [T·B, H] and turns dh from ∂L/∂h_T into ∂L/∂h0, in place. */
export function rnnSequenceBackward(
  dxp: Float32Array, dy: Float32Array, y: Float32Array, whh: Float32Array, dh: Float32Array,
  T: number, B: number, H: number, reverse: boolean, relu: boolean,
): void {
  top = pinnedTop;
  const n = T * B * H;
  const pdy = put(dy, 0, n);
  const py = put(y, 0, n);
  const pw = put(whh);
  const pdh = put(dh);
  const pdxp = alloc(n);
  wasm!.rnnBackward(pdxp, pdy, py, pw, pdh, T, B, H, reverse ? 1 : 0, relu ? 1 : 0);
  dxp.set(heap.subarray(pdxp / 4, pdxp / 4 + n));
  dh.set(heap.subarray(pdh / 4, pdh / 4 + B * H));
}

/**
 * The LSTM's gates for one timestep (simd/lstm.as.ts): xp rows from xpOffset and hp [B, 4H],
 * bSum [4H], cPrev [B, H] → h, c [B, H]; the tape's activations go to acts from actsOffset and
 * tanh(c) to tanhC from tanhCOffset. H must be a multiple of 4.
 */
export function lstmGatesForward(
  xp: Float32Array, xpOffset: number, hp: Float32Array, bSum: Float32Array, cPrev: Float32Array,
  h: Float32Array, c: Float32Array, acts: Float32Array, actsOffset: number, tanhC: Float32Array, tanhCOffset: number,
  B: number, H: number,
): void {
  top = pinnedTop;
  const n = B * H;
  const pxp = put(xp, xpOffset, 4 * n);
  const php = put(hp, 0, 4 * n);
  const pb = put(bSum, 0, 4 * H);
  const pcPrev = put(cPrev, 0, n);
  const ph = alloc(n);
  const pc = alloc(n);
  const pacts = alloc(4 * n);
  const ptanhC = alloc(n);
  wasm!.lstmGatesForward(pxp, php, pb, pcPrev, ph, pc, pacts, ptanhC, B, H);
  h.set(heap.subarray(ph / 4, ph / 4 + n));
  c.set(heap.subarray(pc / 4, pc / 4 + n));
  acts.set(heap.subarray(pacts / 4, pacts / 4 + 4 * n), actsOffset);
  tanhC.set(heap.subarray(ptanhC / 4, ptanhC / 4 + n), tanhCOffset);
}

/**
 * Their backward pass for the timestep at tape row `row0` (simd/lstm.as.ts): dh [B, H] and the
 * tape → ∂L/∂preactivations into dxp from row0·4H; dc [B, H] goes from ∂L/∂c_t to ∂L/∂c_{t−1} in place.
 */
export function lstmGatesBackward(
  dh: Float32Array, dc: Float32Array, acts: Float32Array, cPrevs: Float32Array, tanhCs: Float32Array,
  dxp: Float32Array, row0: number, B: number, H: number,
): void {
  top = pinnedTop;
  const n = B * H;
  const pdh = put(dh, 0, n);
  const pdc = put(dc, 0, n);
  const pacts = put(acts, row0 * 4 * H, 4 * n);
  const pcPrev = put(cPrevs, row0 * H, n);
  const ptanhC = put(tanhCs, row0 * H, n);
  const pdxp = alloc(4 * n);
  wasm!.lstmGatesBackward(pdh, pdc, pacts, pcPrev, ptanhC, pdxp, B, H);
  dxp.set(heap.subarray(pdxp / 4, pdxp / 4 + 4 * n), row0 * 4 * H);
  dc.set(heap.subarray(pdc / 4, pdc / 4 + n));
}

/** Copies heap[at…] (n floats) out to a new array. */
const take = (at: number, n: number): Float32Array => heap.slice(at / 4, at / 4 + n);

/**
 * The LSTM forwards over a whole sequence (simd/lstm.as.ts): xp [T·B, 4H], bSum [4H],
 * whhT [H, 4H], h0, c0 [B, H] → y [T·B, H] and c (c_T) [B, H], written. When `record`, returns
 * the tape backward reads (activations [T·B, 4H], c_{t−1} and tanh(c_t) [T·B, H]); else [].
 */
export function lstmSequenceForward(
  y: Float32Array, c: Float32Array, xp: Float32Array, bSum: Float32Array, whhT: Float32Array, h0: Float32Array, c0: Float32Array,
  T: number, B: number, H: number, reverse: boolean, record: boolean,
): Float32Array[] {
  top = pinnedTop;
  const rows = T * B;
  const tapeRows = record ? rows : B;
  const pxp = put(xp, 0, rows * 4 * H);
  const pb = put(bSum);
  const pw = put(whhT);
  const ph0 = put(h0);
  const pc0 = put(c0);
  const pc = alloc(B * H);
  const php = alloc(B * 4 * H);
  const py = alloc(rows * H);
  const pacts = alloc(tapeRows * 4 * H);
  const pcPrevs = alloc(tapeRows * H);
  const ptanhCs = alloc(tapeRows * H);
  wasm!.lstmForward(py, pxp, pb, pw, ph0, pc0, pc, php, pacts, pcPrevs, ptanhCs, T, B, H, reverse ? 1 : 0, record ? 1 : 0);
  y.set(heap.subarray(py / 4, py / 4 + rows * H));
  c.set(heap.subarray(pc / 4, pc / 4 + B * H));
  return record ? [take(pacts, rows * 4 * H), take(pcPrevs, rows * H), take(ptanhCs, rows * H)] : [];
}

/**
 * Its backward pass over that tape: fills dxp [T·B, 4H]; dh and dc [B, H] go from ∂L/∂h_T,
 * ∂L/∂c_T to ∂L/∂h0, ∂L/∂c0, in place. whh [4H, H] as stored.
 */
export function lstmSequenceBackward(
  dxp: Float32Array, dy: Float32Array, tape: Float32Array[], whh: Float32Array, dh: Float32Array, dc: Float32Array,
  T: number, B: number, H: number, reverse: boolean,
): void {
  top = pinnedTop;
  const rows = T * B;
  const [acts, cPrevs, tanhCs] = tape;
  const pdy = put(dy, 0, rows * H);
  const pacts = put(acts, 0, rows * 4 * H);
  const pcPrevs = put(cPrevs, 0, rows * H);
  const ptanhCs = put(tanhCs, 0, rows * H);
  const pw = put(whh);
  const pdh = put(dh);
  const pdc = put(dc);
  const pg = alloc(B * H);
  const pdxp = alloc(rows * 4 * H);
  wasm!.lstmBackward(pdxp, pdy, pacts, pcPrevs, ptanhCs, pw, pdh, pdc, pg, T, B, H, reverse ? 1 : 0);
  dxp.set(heap.subarray(pdxp / 4, pdxp / 4 + rows * 4 * H));
  dh.set(heap.subarray(pdh / 4, pdh / 4 + B * H));
  dc.set(heap.subarray(pdc / 4, pdc / 4 + B * H));
}

/**
 * The reset-after GRU's gates for one timestep (simd/gru.as.ts): xp rows from xpOffset and
 * hp [B, 3H], the biases [3H], hPrev [B, H] → h [B, H]; the tape's r, z, n go to acts from
 * actsOffset and hp_n + b_hh,n to hpN from hpNOffset. H must be a multiple of 4.
 */
export function gruGatesForward(
  xp: Float32Array, xpOffset: number, hp: Float32Array, bSum: Float32Array, bIh: Float32Array, bHh: Float32Array, hPrev: Float32Array,
  h: Float32Array, acts: Float32Array, actsOffset: number, hpN: Float32Array, hpNOffset: number, B: number, H: number,
): void {
  top = pinnedTop;
  const n = B * H;
  const pxp = put(xp, xpOffset, 3 * n);
  const php = put(hp, 0, 3 * n);
  const pbSum = put(bSum, 0, 3 * H);
  const pbIh = put(bIh, 0, 3 * H);
  const pbHh = put(bHh, 0, 3 * H);
  const phPrev = put(hPrev, 0, n);
  const ph = alloc(n);
  const pacts = alloc(3 * n);
  const phpN = alloc(n);
  wasm!.gruGatesForward(pxp, php, pbSum, pbIh, pbHh, phPrev, ph, pacts, phpN, B, H);
  h.set(heap.subarray(ph / 4, ph / 4 + n));
  acts.set(heap.subarray(pacts / 4, pacts / 4 + 3 * n), actsOffset);
  hpN.set(heap.subarray(phpN / 4, phpN / 4 + n), hpNOffset);
}

/**
 * Their backward pass for the timestep at tape row `row0`: dh, hPrev [B, H] and the tape →
 * ∂L/∂xp and ∂L/∂hp into dxp and dhp from row0·3H, and ∂h ⊙ z into dhPrevDirect [B, H].
 */
export function gruGatesBackward(
  dh: Float32Array, acts: Float32Array, hpN: Float32Array, hPrev: Float32Array,
  dxp: Float32Array, dhp: Float32Array, dhPrevDirect: Float32Array, row0: number, B: number, H: number,
): void {
  top = pinnedTop;
  const n = B * H;
  const pdh = put(dh, 0, n);
  const pacts = put(acts, row0 * 3 * H, 3 * n);
  const phpN = put(hpN, row0 * H, n);
  const phPrev = put(hPrev, 0, n);
  const pdxp = alloc(3 * n);
  const pdhp = alloc(3 * n);
  const pdirect = alloc(n);
  wasm!.gruGatesBackward(pdh, pacts, phpN, phPrev, pdxp, pdhp, pdirect, B, H);
  dxp.set(heap.subarray(pdxp / 4, pdxp / 4 + 3 * n), row0 * 3 * H);
  dhp.set(heap.subarray(pdhp / 4, pdhp / 4 + 3 * n), row0 * 3 * H);
  dhPrevDirect.set(heap.subarray(pdirect / 4, pdirect / 4 + n));
}

/**
 * One reset-before GRU step (simd/gru-reset-before.as.ts): xp rows from xpOffset, hp [B, 3H],
 * bSum [3H], hPrev [B, H] and W_hnᵀ pinned → h [B, H]; the tape's r, z, n go to acts from
 * actsOffset and r ⊙ h_prev to resetH from resetHOffset. H must be a multiple of 4.
 */
export function gruRbStepForward(
  xp: Float32Array, xpOffset: number, hp: Float32Array, bSum: Float32Array, hPrev: Float32Array, whnT: PinnedOperand,
  h: Float32Array, acts: Float32Array, actsOffset: number, resetH: Float32Array, resetHOffset: number, B: number, H: number,
): void {
  top = pinnedTop;
  const n = B * H;
  const pxp = put(xp, xpOffset, 3 * n);
  const php = put(hp, 0, 3 * n);
  const pb = put(bSum, 0, 3 * H);
  const phPrev = put(hPrev, 0, n);
  const pu = alloc(n);
  const pacts = alloc(3 * n);
  const presetH = alloc(n);
  const ph = alloc(n);
  wasm!.gruRbStepForward(pxp, php, pb, phPrev, whnT.at, pu, pacts, presetH, ph, B, H);
  h.set(heap.subarray(ph / 4, ph / 4 + n));
  acts.set(heap.subarray(pacts / 4, pacts / 4 + 3 * n), actsOffset);
  resetH.set(heap.subarray(presetH / 4, presetH / 4 + n), resetHOffset);
}

/**
 * Its backward pass at tape row `row0`: dh, hPrev [B, H], the tape and W_hn pinned → ∂xp, ∂hp
 * into dxp, dhp from row0·3H, ∂a_n into dAn from row0·H, and dhPrevDirect [B, H].
 */
export function gruRbStepBackward(
  dh: Float32Array, acts: Float32Array, hPrev: Float32Array, whn: PinnedOperand, dAn: Float32Array,
  dxp: Float32Array, dhp: Float32Array, dhPrevDirect: Float32Array, row0: number, B: number, H: number,
): void {
  top = pinnedTop;
  const n = B * H;
  const pdh = put(dh, 0, n);
  const pacts = put(acts, row0 * 3 * H, 3 * n);
  const phPrev = put(hPrev, 0, n);
  const pdAn = alloc(n);
  const pdResetH = alloc(n);
  const pdxp = alloc(3 * n);
  const pdhp = alloc(3 * n);
  const pdirect = alloc(n);
  wasm!.gruRbStepBackward(pdh, pacts, phPrev, whn.at, pdAn, pdResetH, pdxp, pdhp, pdirect, B, H);
  dAn.set(heap.subarray(pdAn / 4, pdAn / 4 + n), row0 * H);
  dxp.set(heap.subarray(pdxp / 4, pdxp / 4 + 3 * n), row0 * 3 * H);
  dhp.set(heap.subarray(pdhp / 4, pdhp / 4 + 3 * n), row0 * 3 * H);
  dhPrevDirect.set(heap.subarray(pdirect / 4, pdirect / 4 + n));
}
