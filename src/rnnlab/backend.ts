/**
 * Picks the tensor backend once, at import, and never falls back silently.
 *
 * Order of preference:
 *   1. `tensorflow` (native, from @tensorflow/tfjs-node) when that optional package is installed;
 *   2. `wasm` (SIMD, single-threaded): ships inside @tensorflow/tfjs-backend-wasm and works offline;
 *   3. `cpu` only when asked for: RNNLAB_BACKEND=cpu. It is 5–10× slower than wasm.
 *
 * RNNLAB_BACKEND may also name `wasm` or `tensorflow` to insist on one. If the chosen backend
 * cannot start, `ready()` rejects with an error that says which one and why, instead of letting
 * tfjs quietly keep running on `cpu`.
 */
import * as tf from "@tensorflow/tfjs-core";
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
// tfjs-core's CommonJS build has no gradients for its ops; tfjs-layers' build registers them all
// in tfjs's shared registry. Without it autodiff fails with "gradient function not found".
import "@tensorflow/tfjs-layers";
import "./chained-ops";
import "./fused/unsorted-segment-sum"; // after tfjs-backend-wasm: registers only what it lacks

export type BackendName = "tensorflow" | "wasm" | "cpu";

export interface BackendInfo {
  /** The backend tfjs is running on. */
  name: BackendName;
  /** Why it was chosen. */
  reason: string;
  /** Whether wasm runs with SIMD (only meaningful for `wasm`). */
  simd: boolean;
}

const KNOWN: BackendName[] = ["tensorflow", "wasm", "cpu"];

function tfjsNodeInstalled(): boolean {
  try {
    require.resolve("@tensorflow/tfjs-node");
    return true;
  } catch {
    return false;
  }
}

function requested(): BackendName | undefined {
  const raw = process.env.RNNLAB_BACKEND?.trim();
  if (!raw) return undefined;
  if (!(KNOWN as string[]).includes(raw)) {
    throw new Error(
      `RNNLAB_BACKEND: expected one of ${KNOWN.join(", ")}, got "${raw}".`,
    );
  }
  return raw as BackendName;
}

/**
 * tfjs's cpu backend prints an "install tfjs-node" banner on its first write, whenever that
 * happens; learners need not see it. Re-registering the factory marks every cpu backend as
 * already used, before anything can create one.
 */
function silenceCpuBanner(): void {
  const existing = tf.findBackend("cpu") as unknown as { firstUse?: boolean } | null;
  if (existing) {
    existing.firstUse = false;
    return;
  }
  tf.removeBackend("cpu");
  tf.registerBackend(
    "cpu",
    () => {
      const backend = new MathBackendCPU();
      (backend as unknown as { firstUse: boolean }).firstUse = false;
      return backend;
    },
    1,
  );
}

async function activate(name: BackendName, reason: string): Promise<BackendInfo> {
  if (name === "tensorflow") {
    try {
      require("@tensorflow/tfjs-node");
    } catch (err) {
      throw new Error(
        `rnnlab backend: RNNLAB_BACKEND=tensorflow, but @tensorflow/tfjs-node could not be loaded: ${(err as Error).message}`,
      );
    }
  }
  let ok = false;
  let cause = "setBackend returned false";
  const before = processListeners();
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    cause = (err as Error).message;
  } finally {
    removeListenersAddedSince(before);
  }
  if (!ok || tf.getBackend() !== name) {
    throw new Error(
      `rnnlab backend: could not start the "${name}" backend (${cause}); tfjs is on "${tf.getBackend()}". ` +
        `Set RNNLAB_BACKEND=cpu to run on the slow cpu backend on purpose.`,
    );
  }
  const simd = name === "wasm" ? Boolean(tf.env().getBool("WASM_HAS_SIMD_SUPPORT")) : false;
  return { name, reason, simd };
}

type ProcessEvent = "uncaughtException" | "unhandledRejection";
const PROCESS_EVENTS: ProcessEvent[] = ["uncaughtException", "unhandledRejection"];

type Listener = (...args: unknown[]) => void;

function processListeners(): Map<ProcessEvent, Listener[]> {
  return new Map(PROCESS_EVENTS.map((e) => [e, (process as NodeJS.EventEmitter).listeners(e) as Listener[]]));
}

/**
 * The wasm module (Emscripten) installs process handlers that rethrow any uncaught error or
 * unhandled rejection, which ends the process: one forgotten promise in a notebook cell would
 * kill the kernel. Errors belong to whoever runs the code (kernel, runner, Node's default).
 */
function removeListenersAddedSince(before: Map<ProcessEvent, Listener[]>): void {
  for (const event of PROCESS_EVENTS) {
    const old = before.get(event) ?? [];
    for (const l of (process as NodeJS.EventEmitter).listeners(event) as Listener[]) if (!old.includes(l)) (process as NodeJS.EventEmitter).removeListener(event, l);
  }
}

async function choose(): Promise<BackendInfo> {
  const wanted = requested();
  if (wanted) return activate(wanted, `RNNLAB_BACKEND=${wanted}`);
  if (tfjsNodeInstalled()) return activate("tensorflow", "@tensorflow/tfjs-node is installed");
  return activate("wasm", "@tensorflow/tfjs-node is not installed; wasm is the fastest backend that ships offline");
}

silenceCpuBanner();

let chosen: BackendInfo | undefined;
const choosing: Promise<BackendInfo> = choose().then((info) => (chosen = info));
// The rejection is reported by ready() and assertReady(); keep Node from calling it unhandled at import.
choosing.catch(() => undefined);

/** Resolves once the backend is running; rejects with the reason if it cannot start. */
export function ready(): Promise<BackendInfo> {
  return choosing;
}

/** The backend in use, or undefined while it is still starting. */
export function backendInfo(): BackendInfo | undefined {
  return chosen;
}

/** Throws a clear error if tensors are used before `await ready()`. */
export function assertReady(what: string): void {
  if (chosen) return;
  throw new Error(
    `${what}: the tensor backend is still starting. Run \`await ready()\` (exported by rnnlab) first.`,
  );
}
