/**
 * rnnlab: recurrent networks for the course, with PyTorch's names, shapes and equations.
 *
 *   import { ready, LSTM, trainStep, plot } from "rnnlab";
 *   await ready();                               // picks the tensor backend once
 *   const lstm = new LSTM({ inputSize: 10, hiddenSize: 128, numLayers: 2, batchFirst: true });
 */
import "./repr";

export * as tf from "@tensorflow/tfjs-core";
export { ready, backendInfo, type BackendInfo, type BackendName } from "./backend";
export { wasmKernelsStatus } from "./fused/wasm-kernels";
export { manualSeed, Generator } from "./random";
export { display, clearOutput, DisplayHandle, REPR, type MimeBundle, type Displayable } from "./display";
export { input, StdinNotImplementedError, type InputOptions } from "./input";
export { ShapeError } from "./validate";
export { Module, type StateDictRecord } from "./module";
export { RNNCell, rnnCellForward, type Nonlinearity } from "./cells/rnn-cell";
export { LSTMCell, lstmCellForward, lstmGates, type LSTMState, type LSTMCellStateInput, type LSTMGates } from "./cells/lstm-cell";
export { GRUCell, gruCellForward } from "./cells/gru-cell";
export type { CellWeights } from "./cells/cell-base";
export { RNN, LSTM, GRU, type RNNOptions, type GRUOptions } from "./layers/rnn";
export type { RecurrentOptions, RecurrentOutput, RecurrentState } from "./layers/recurrent";
export type { HiddenOutput, HiddenStateInput, LSTMOutput, LSTMStateInput } from "./layers/recurrent-state";
export { Linear } from "./layers/linear";
export { Embedding } from "./layers/embedding";
export { Dropout, dropout } from "./layers/dropout";
export { BahdanauAttention, AttentionDecoder, BottleneckDecoder, GRUEncoderDecoder, type AdditiveParams, type AttentionResult, type AttendFn, type BahdanauAttentionOptions, type EncoderDecoderOptions } from "./attention";
export { crossEntropy, mse } from "./losses";
export { clipGradNorm, clipGradValue, globalNorm, type ClipOptions, type Grads } from "./clip";
export { trainStep, trainTBPTT, type TBPTTOptions, type TBPTTResult, type CarriedState } from "./train";
export { Encoder, Decoder, Seq2Seq, teacherForcedStep, type DecodeStepFn, type EncoderOptions, type DecoderOptions, type Seq2SeqOptions, type Seq2SeqBatch } from "./seq2seq";
export * as data from "./data";
export * as plot from "./plot";
export { check, CheckError, type CloseOptions } from "./check";
export { NotImplementedError } from "./not-implemented";
