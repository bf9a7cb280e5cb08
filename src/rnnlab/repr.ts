/**
 * Rich output for tfjs tensors in notebooks: `text/plain` like PyTorch's repr (values, shape,
 * dtype) and a small HTML table for 1-D and 2-D tensors.
 */
import * as tf from "@tensorflow/tfjs-core";
import { REPR, type MimeBundle } from "./display";
import { fmtShape } from "./validate";

const MAX_HTML_CELLS = 400;

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

function tensorBundle(this: tf.Tensor): MimeBundle {
  if (this.isDisposed) return { "text/plain": `Tensor (disposed) ${fmtShape(this.shape)} ${this.dtype}` };
  const header = `Tensor ${fmtShape(this.shape)} ${this.dtype}`;
  const body = this.toString().replace(/^Tensor\n?/, "").trimEnd();
  const bundle: MimeBundle = { "text/plain": `${header}\n${body}` };
  if (this.rank >= 1 && this.rank <= 2 && this.size <= MAX_HTML_CELLS && this.dtype !== "string") {
    const rows = (this.rank === 1 ? [this.arraySync()] : this.arraySync()) as number[][];
    const cells = rows.map((r) => `<tr>${r.map((v) => `<td>${fmt(v)}</td>`).join("")}</tr>`).join("");
    bundle["text/html"] = `<div><small>${header}</small><table>${cells}</table></div>`;
  }
  return bundle;
}

Object.defineProperty(tf.Tensor.prototype, REPR, { value: tensorBundle, configurable: true, writable: true });
