/**
 * Gradients through a student's function that runs in another process.
 *
 * A test may differentiate through a student's function (`tf.grads(q => attention(q, …))`).
 * The values that come back over the channel are new tensors with no history, so while tfjs
 * records a gradient the test process wraps the call in tf.customGrad: forwards, the student's
 * function runs there as usual; backwards, the student's process computes the vector-Jacobian
 * product of *its own* function at the same inputs (vectorJacobianProduct below). The gradient
 * a test sees is therefore the student's function's gradient, as in the notebook.
 *
 * Only float32 tensors take part: float outputs are joined into one flat tensor for customGrad
 * and cut back into their shapes; other outputs pass through unchanged.
 */
import { mapTensors, tensorsIn, type TensorLib } from "./remote-value";
import type { SyncChannel } from "./sync-channel";

type Tensor = import("@tensorflow/tfjs-core").Tensor;

const floats = (ts: Tensor[]) => ts.filter((t) => t.dtype === "float32");

/** The test process's side: a call to a graded name that tfjs can differentiate. */
export function callGraded(channel: SyncChannel, tf: TensorLib, name: string, args: unknown[]): unknown {
  const leaves = floats(tensorsIn(args, tf));
  if (!tf.engine().isTapeOn() || leaves.length === 0) return channel.call({ name }, args);
  let out: unknown;
  let outputs: Tensor[] = [];
  const joined = tf.customGrad((...xs: unknown[]) => {
    void xs; // the leaves themselves: the student's process gets the same values in `args`
    out = channel.call({ name }, args);
    const all = tensorsIn(out, tf);
    for (const t of all) if (t.dtype !== "float32") tf.keep(t); // customGrad's forward is tidied
    outputs = floats(all);
    const value = outputs.length ? tf.concat(outputs.map((t) => tf.reshape(t, [-1]))) : tf.zeros([0]);
    const gradFunc = (dy: Tensor | Tensor[]) => {
      const flat = Array.isArray(dy) ? dy[0] : dy;
      let offset = 0;
      const dys = outputs.map((t) => {
        const piece = tf.reshape(tf.slice(flat, offset, t.size), t.shape);
        offset += t.size;
        return piece;
      });
      const grads = channel.call({ name, vjp: true }, [args, dys]);
      if (!Array.isArray(grads) || grads.length !== leaves.length || !grads.every((g, i) => g instanceof tf.Tensor && String(g.shape) === String(leaves[i].shape))) {
        throw new Error(`${name}: its process answered the gradient with something else than one tensor per input`);
      }
      return grads as Tensor[];
    };
    return { value, gradFunc };
  });
  const flat = joined(...leaves);
  let offset = 0;
  let k = 0;
  return mapTensors(out, tf, (t) => {
    if (t.dtype !== "float32") return t;
    const shape = outputs[k++].shape;
    const size = shape.reduce((a, b) => a * b, 1);
    const piece = tf.reshape(tf.slice(flat, offset, size), shape);
    offset += size;
    return piece;
  });
}

/**
 * The student's process's side: the gradient of Σ_k ⟨f(args)_k, dy_k⟩ with respect to each
 * float input of `args` (zeros where the output does not depend on it).
 */
export function vectorJacobianProduct(tf: TensorLib, f: (...args: unknown[]) => unknown, callArgs: unknown[], dys: unknown, run: (g: () => unknown) => unknown): Tensor[] {
  if (!Array.isArray(callArgs) || !Array.isArray(dys) || !dys.every((d) => d instanceof tf.Tensor)) throw new TypeError("a malformed gradient request");
  const leaves = floats(tensorsIn(callArgs, tf));
  const { grads } = tf.engine().gradients(
    () => {
      const outputs = floats(tensorsIn(run(() => f(...callArgs)), tf));
      if (outputs.length !== dys.length) throw new Error(`the function returned ${outputs.length} float tensors here and ${dys.length} in the forward call`);
      return outputs.reduce<Tensor>((acc, o, k) => tf.add(acc, tf.sum(tf.mul(o, dys[k] as Tensor))), tf.scalar(0));
    },
    leaves,
    undefined,
    true,
  );
  return leaves.map((l, i) => grads[i] ?? tf.zerosLike(l));
}
