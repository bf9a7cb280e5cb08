/**
 * `node dist/bench/profile-step.js [--model LSTM|GRU|GRU-rb|RNN] [--steps 30]`: where an M-size
 * (B 32, T 50, I 32, H 128) rnnlab training step spends its time. It runs the steps under V8's
 * sampling profiler (node:inspector) and prints self time per function, largest first, so the
 * README's breakdown can be re-measured. Shares, not times: the machine is shared.
 */
import * as inspector from "node:inspector";
import * as tf from "@tensorflow/tfjs-core";
import { GRU, LSTM, RNN, manualSeed, mse, ready, trainStep } from "../rnnlab";
import type { RecurrentBase } from "../rnnlab/layers/recurrent";

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

function post<T>(session: inspector.Session, method: string): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, (err, result) => (err ? reject(err) : resolve(result as T))));
}

function makeLayer(model: string, opts: { inputSize: number; hiddenSize: number; batchFirst: boolean }): RecurrentBase {
  if (model === "LSTM") return new LSTM(opts);
  if (model === "GRU") return new GRU(opts);
  if (model === "GRU-rb") return new GRU({ ...opts, resetAfter: false });
  if (model === "RNN") return new RNN(opts);
  throw new Error(`profile-step: --model: expected LSTM, GRU, GRU-rb or RNN, got ${model}.`);
}

async function main(): Promise<void> {
  const arg = (flag: string, fallback: string) => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  const model = arg("--model", "LSTM");
  const steps = Number(arg("--steps", "30"));
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`profile-step: --steps: expected a positive integer, got ${arg("--steps", "")}.`);
  await ready();
  const [B, T, I, H] = [32, 50, 32, 128];
  manualSeed(0);
  const layer = makeLayer(model, { inputSize: I, hiddenSize: H, batchFirst: true });
  const x = tf.randomNormal([B, T, I], 0, 1, "float32", 1);
  const y = tf.randomNormal([B, T, H], 0, 0.5, "float32", 2);
  const opt = tf.train.adam(1e-3);
  const step = () => trainStep(layer, opt, () => mse(layer.forward(x).output, y));
  for (let i = 0; i < 20; i++) step(); // warm: V8 optimises the loops over the first calls

  const session = new inspector.Session();
  session.connect();
  await post(session, "Profiler.enable");
  await post(session, "Profiler.start");
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const ms = (performance.now() - t0) / steps;
  const { profile } = await post<{ profile: Profile }>(session, "Profiler.stop");
  session.disconnect();

  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byName = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const t = selfMs.get(n.id) ?? 0;
    total += t;
    const where = n.callFrame.url ? `${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}` : "";
    const key = `${n.callFrame.functionName || "(anonymous)"} ${where}`.trim();
    byName.set(key, (byName.get(key) ?? 0) + t);
  }
  console.log(`${model} M training step: ${ms.toFixed(2)} ms (mean of ${steps}); self time by function:`);
  // The two WebAssembly modules carry no function names: rnnlab's kernels.wasm has a handful of
  // functions (low indices), tfjs-backend-wasm hundreds (its XNNPACK matMul has a high one).
  console.log("(wasm-function[i] wasm/<hash>: rnnlab's kernels.wasm when i < 20, else tfjs-backend-wasm)");
  for (const [name, t] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`${((100 * t) / total).toFixed(1).padStart(6)}%  ${name}`);
  }
  layer.dispose();
  opt.dispose();
  tf.dispose([x, y]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
