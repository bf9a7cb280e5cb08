/**
 * A seeded generator, so the same seed gives the same weights, dropout masks and samples,
 * bit for bit. Weights are drawn in JavaScript and copied into tensors, which keeps them
 * identical across backends too.
 *
 * mulberry32: a 32-bit state, fast and good enough for initialisation and sampling.
 */
export class Generator {
  private state: number;

  constructor(seed = 0) {
    if (!Number.isInteger(seed)) throw new Error(`seed: expected an integer, got ${seed}.`);
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** `n` values from U(low, high). */
  uniform(n: number, low: number, high: number): Float32Array {
    const out = new Float32Array(n);
    const span = high - low;
    for (let i = 0; i < n; i++) out[i] = low + span * this.next();
    return out;
  }

  /** `n` values from N(0, 1), by Box–Muller. */
  normal(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const u = 1 - this.next();
      const v = this.next();
      const r = Math.sqrt(-2 * Math.log(u));
      out[i] = r * Math.cos(2 * Math.PI * v);
      if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
    }
    return out;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

let globalGenerator = new Generator(0);

/** Like torch.manual_seed: reseeds the generator that layers, dropout and sampling draw from. */
export function manualSeed(seed: number): void {
  globalGenerator = new Generator(seed);
}

/** The generator used when no explicit one is given. */
export function defaultGenerator(): Generator {
  return globalGenerator;
}
