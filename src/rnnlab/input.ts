/**
 * `await input("prompt")`: a line of text typed by the learner, as Python's input() in Jupyter.
 *
 * The kernel provides the channel: it sends Jupyter's `input_request` on the stdin socket and
 * resolves with the front end's `input_reply`. Where no front end can answer (the headless
 * course runner, the grader, nbclient with allow_stdin false) the call fails at once with a
 * clear error instead of waiting forever.
 */
import { describe } from "./validate";

export interface InputOptions {
  /** Hide what is typed (a password field in the front end). */
  password?: boolean;
}

/** What the kernel installs: asks the front end and resolves with its answer. */
export type StdinChannel = (prompt: string, password: boolean) => Promise<string>;

export const STDIN: unique symbol = Symbol.for("rnnlab.stdin") as never;

export class StdinNotImplementedError extends Error {
  override name = "StdinNotImplementedError";
}

export async function input(prompt = "", options: InputOptions = {}): Promise<string> {
  if (typeof prompt !== "string") throw new TypeError(`input: prompt: expected a string, got ${describe(prompt)}.`);
  const channel = (globalThis as Record<symbol, unknown>)[STDIN] as StdinChannel | undefined;
  if (!channel) {
    throw new StdinNotImplementedError("input: nothing can answer here: this cell runs without a Jupyter front end (the course runner or the grader); give the value in the code instead.");
  }
  return channel(prompt, Boolean(options.password));
}
