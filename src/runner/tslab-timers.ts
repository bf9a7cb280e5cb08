/**
 * One timer slot for all of TypeScript's timers in tslab's converter.
 *
 * tslab's converter runs TypeScript's watch program with a `sys` whose setTimeout keeps a single
 * pending callback and throws "Unexpected pending rebuildTimer" when a second is asked for; the
 * converter runs that callback itself at the next compile. TypeScript has two timers, though:
 * the program update (asked for at every compile) and the re-resolution of failed module lookups
 * (asked for by a folder watcher when a folder near a lookup that failed changes: a learner's
 * `import "./helper"` before helper.ts exists, a `node_modules` made or removed, a grader's
 * temporary folders). Once the second kind is pending, every later compile throws, and the
 * kernel answers each cell with that error until a restart.
 *
 * The converter builds its sys as `Object.create(ts.sys)` and then assigns `sys.setTimeout`;
 * accessors on ts.sys catch that assignment, so each converter's slot is wrapped by a queue:
 * TypeScript may hold any number of timers, tslab's slot holds one callback that runs them all,
 * in the order asked for (and those they ask for while running), at the converter's next compile.
 */
import * as path from "node:path";

type Callback = () => void;
type SlotSet = (callback: Callback) => unknown;
type SlotClear = (handle: unknown) => void;

interface Queue {
  slotSet?: SlotSet;
  slotClear?: SlotClear;
  /** The handle tslab's slot returned for the callback that runs `waiting`; undefined when empty. */
  slot?: unknown;
  waiting: { callback: Callback }[];
}

const PATCHED = Symbol.for("rnnlab.tslabTimers");

export function shareTslabTimer(converterPath: string): void {
  const tsPath = require.resolve("@tslab/typescript-for-tslab", { paths: [path.dirname(converterPath)] });
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const sys = (require(tsPath) as { sys: Record<string | symbol, unknown> }).sys;
  if (sys[PATCHED]) return;
  sys[PATCHED] = true;
  const nodeSet = sys.setTimeout as (...a: unknown[]) => unknown;
  const nodeClear = sys.clearTimeout as (h: unknown) => void;
  const queues = new WeakMap<object, Queue>();
  const queueOf = (owner: object): Queue => {
    let q = queues.get(owner);
    if (!q) queues.set(owner, (q = { waiting: [] }));
    return q;
  };
  const runAll = (q: Queue) => () => {
    // Timers asked for while these run join the same run, as tslab's slot is still taken.
    while (q.waiting.length > 0) q.waiting.shift()!.callback();
    q.slot = undefined;
  };

  Object.defineProperty(sys, "setTimeout", {
    configurable: true,
    set(this: object, slotSet: SlotSet) {
      queueOf(this).slotSet = slotSet;
    },
    get(this: object) {
      const q = queues.get(this);
      if (!q?.slotSet) return nodeSet;
      return (callback: Callback) => {
        const handle = { callback };
        q.waiting.push(handle);
        if (q.slot === undefined) q.slot = q.slotSet!(runAll(q));
        return handle;
      };
    },
  });
  Object.defineProperty(sys, "clearTimeout", {
    configurable: true,
    set(this: object, slotClear: SlotClear) {
      queueOf(this).slotClear = slotClear;
    },
    get(this: object) {
      const q = queues.get(this);
      if (!q?.slotClear) return nodeClear;
      return (handle: unknown) => {
        const i = q.waiting.findIndex((h) => h === handle);
        if (i >= 0) q.waiting.splice(i, 1);
        if (q.waiting.length === 0 && q.slot !== undefined) {
          q.slotClear!(q.slot);
          q.slot = undefined;
        }
      };
    },
  });
}
