/**
 * RNN, LSTM and GRU layers: the cells of ../cells run over whole sequences, stacked and
 * optionally bidirectional. See recurrent.ts for shapes and the cells for the equations.
 */
import { gruCellForward } from "../cells/gru-cell";
import { lstmCellForward } from "../cells/lstm-cell";
import { rnnCellForward, type Nonlinearity } from "../cells/rnn-cell";
import { gruKernel, lstmKernel, rnnKernel, type CellKernel } from "../fused/cell-kernels";
import { gruResetBeforeKernel } from "../fused/gru-reset-before-kernel";
import { expectBoolean, expectOneOf } from "../validate";
import { RecurrentBase, type RecurrentOptions, type ReferenceStep } from "./recurrent";
import type { HiddenOutput, HiddenStateInput, LSTMOutput, LSTMStateInput } from "./recurrent-state";

export interface RNNOptions extends RecurrentOptions {
  nonlinearity?: Nonlinearity;
}

/**
 * One kernel object per nonlinearity for the whole process: V8 optimises a function per
 * closure, so a kernel made afresh for every forward call would run unoptimised each time.
 */
const RNN_KERNELS: Record<Nonlinearity, CellKernel> = { tanh: rnnKernel("tanh"), relu: rnnKernel("relu") };

/** Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), or relu. */
export class RNN extends RecurrentBase<HiddenStateInput, HiddenOutput> {
  readonly nonlinearity: Nonlinearity;
  protected readonly hasCellState = false;

  constructor(options: RNNOptions) {
    super("RNN", options, 1, ["nonlinearity"]);
    this.nonlinearity = expectOneOf("RNN", "nonlinearity", options.nonlinearity ?? "tanh", ["tanh", "relu"]);
  }

  protected fusedKernel(): CellKernel {
    return RNN_KERNELS[this.nonlinearity];
  }

  protected referenceStep(): ReferenceStep {
    return (x, h, _c, w) => ({ h: rnnCellForward(x, h, w, this.nonlinearity) });
  }
}

/** LSTM with PyTorch's gates i, f, g, o; forward returns {output, h, c}. */
export class LSTM extends RecurrentBase<LSTMStateInput, LSTMOutput> {
  protected readonly hasCellState = true;

  constructor(options: RecurrentOptions) {
    super("LSTM", options, 4);
  }

  protected fusedKernel(): CellKernel {
    return lstmKernel;
  }

  protected referenceStep(): ReferenceStep {
    return (x, h, c, w) => lstmCellForward(x, { h, c: c! }, w);
  }
}

export interface GRUOptions extends RecurrentOptions {
  /** PyTorch's reset-after form (true, default; also TF2 Keras's default) or d2l's reset-before (false). */
  resetAfter?: boolean;
}

/** GRU, PyTorch's reset-after form by default; gates r, z, n. */
export class GRU extends RecurrentBase<HiddenStateInput, HiddenOutput> {
  readonly resetAfter: boolean;
  protected readonly hasCellState = false;

  constructor(options: GRUOptions) {
    super("GRU", options, 3, ["resetAfter"]);
    this.resetAfter = expectBoolean("GRU", "resetAfter", options.resetAfter, true);
  }

  protected fusedKernel(): CellKernel {
    return this.resetAfter ? gruKernel : gruResetBeforeKernel;
  }

  protected referenceStep(): ReferenceStep {
    return (x, h, _c, w) => ({ h: gruCellForward(x, h, w, this.resetAfter) });
  }
}
