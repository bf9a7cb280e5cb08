export { Encoder, Decoder, Seq2Seq, teacherForcedStep, type DecodeStepFn, type EncoderOptions, type DecoderOptions, type Seq2SeqOptions, type Seq2SeqBatch } from "./seq2seq";
