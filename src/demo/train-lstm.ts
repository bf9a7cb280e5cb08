/**
 * A one-minute look at rnnlab without Jupyter: a small LSTM learns to continue a noisy sine
 * wave, trained with truncated BPTT and gradient clipping, and the loss is printed as it falls.
 */
import { LSTM, Linear, Module, backendInfo, manualSeed, mse, ready, tf, trainTBPTT } from "../rnnlab";

class Forecaster extends Module {
  readonly lstm = this.registerModule("lstm", new LSTM({ inputSize: 1, hiddenSize: 32 }));
  readonly head = this.registerModule("head", new Linear(32, 1));

  constructor() {
    super("Forecaster");
  }

  describe(): string {
    return "Forecaster";
  }
}

async function main(): Promise<void> {
  await ready();
  manualSeed(0);
  const info = backendInfo()!;
  console.log(`rnnlab demo — backend: ${info.name}${info.simd ? " (SIMD)" : ""}`);
  const T = 400;
  const B = 8;
  const series = Array.from({ length: B }, (_, b) =>
    Array.from({ length: T + 1 }, (_, t) => Math.sin((t + 13 * b) / 8) + 0.05 * Math.sin(7.3 * t + b)),
  );
  const at = (offset: number) => tf.tensor3d(Array.from({ length: T }, (_, t) => series.map((s) => [s[t + offset]])));
  const inputs = at(0);
  const targets = at(1);
  const model = new Forecaster();
  const optimizer = tf.train.adam(0.01);
  const t0 = performance.now();
  for (let epoch = 1; epoch <= 15; epoch++) {
    const r = trainTBPTT({
      module: model, optimizer, inputs, targets, chunkLength: 50, maxNorm: 1,
      forward: (x, y, state) => {
        const out = model.lstm.forward(x, state as { h: tf.Tensor3D; c: tf.Tensor3D } | undefined);
        return { loss: mse(model.head.forward(out.output), y), state: { h: out.h, c: out.c! } };
      },
    });
    tf.dispose(Object.values(r.state ?? {}));
    const mean = r.losses.reduce((a, b) => a + b, 0) / r.losses.length;
    console.log(`epoch ${String(epoch).padStart(2)}  loss ${mean.toFixed(5)}  ${"█".repeat(Math.max(1, Math.round(40 * Math.min(1, mean / 0.5))))}`);
  }
  console.log(`trained ${model.parameterCount().toLocaleString("en")} parameters in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
