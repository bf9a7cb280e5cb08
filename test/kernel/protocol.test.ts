/**
 * The rnnlab kernel spoken to over zeromq, as Jupyter clients do (messaging spec 5.3), with no
 * Python: one test per message type and behaviour the course depends on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Subscriber } from "zeromq";
import { KernelClient, ofType, sleep, within } from "../../src/kernel/client";
import { decode } from "../../src/kernel/wire";

let k: KernelClient;

beforeAll(async () => {
  k = await KernelClient.start();
  const setup = await k.execute('import { ready, tf, plot, display, clearOutput, LSTM } from "rnnlab";\nawait ready();');
  expect(setup.reply.content.status, JSON.stringify(setup.reply.content)).toBe("ok");
  // A cell that uses an earlier cell's name waits for the type checker: every test below then
  // runs type checked, as in a notebook opened a second or more after its kernel started.
  const checked = await k.execute("typeof LSTM");
  expect(checked.reply.content.status).toBe("ok");
}, 120_000);

afterAll(async () => k?.close());

describe("kernel_info", () => {
  it("replies ok with protocol 5.3 and TypeScript's language_info, between busy and idle", async () => {
    const r = await k.request("kernel_info_request");
    expect(r.reply.header.msg_type).toBe("kernel_info_reply");
    expect(r.reply.content).toMatchObject({
      status: "ok",
      protocol_version: "5.3",
      implementation: "rnnlab",
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript", codemirror_mode: { name: "javascript", typescript: true } },
    });
    expect(ofType(r, "status").map((m) => m.content.execution_state)).toEqual(["busy", "idle"]);
  });
});

describe("execute", () => {
  it("publishes execute_input with the count, the result as execute_result, and replies ok", async () => {
    const a = await k.execute("1 + 1");
    const b = await k.execute("2 * 21");
    const count = a.reply.content.execution_count as number;
    expect(b.reply.content).toMatchObject({ status: "ok", execution_count: count + 1 });
    expect(ofType(a, "execute_input")[0].content).toEqual({ code: "1 + 1", execution_count: count });
    const [result] = ofType(b, "execute_result");
    expect(result.content).toMatchObject({ execution_count: count + 1, data: { "text/plain": "42" } });
  });

  it("runs a top-level for await loop (tslab alone fails it as a SyntaxError)", async () => {
    const r = await k.execute("let acc = 0;\nfor await (const v of [Promise.resolve(4), Promise.resolve(5)]) acc += v;\nacc");
    expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
    expect(ofType(r, "execute_result")[0]?.content.data).toMatchObject({ "text/plain": "9" });
  });

  it("sends stdout and stderr as stream messages", async () => {
    const r = await k.execute('console.log("hello", 3);\nconsole.error("careful");');
    const streams = ofType(r, "stream").map((m) => [m.content.name, m.content.text]);
    expect(streams).toEqual([["stdout", "hello 3\n"], ["stderr", "careful\n"]]);
  });

  it("gives text/plain without ANSI colour codes, and a rich repr for tensors and models", async () => {
    const plain = ofType(await k.execute('({ word: "x", n: [1, 2] })'), "execute_result")[0].content.data as Record<string, string>;
    expect(plain["text/plain"]).toBe("{ word: 'x', n: [ 1, 2 ] }");
    expect(plain["text/plain"]).not.toMatch(/\u001b\[/);
    const tensor = ofType(await k.execute("tf.tensor1d([1, 2, 3])"), "execute_result")[0].content.data as Record<string, string>;
    expect(tensor["text/plain"]).toMatch(/^Tensor \[3\] float32/);
    expect(tensor["text/html"]).toContain("<table>");
    const model = ofType(await k.execute("new LSTM({ inputSize: 3, hiddenSize: 4 })"), "execute_result")[0].content.data as Record<string, string>;
    expect(model["text/plain"]).toContain("LSTM");
    expect(Object.keys(model).length).toBeGreaterThan(1);
  });

  it("reports a runtime error with ename, evalue and a traceback in the cell's own lines", async () => {
    const code = 'function f(): number {\n  // a comment, then the throw\n  throw new RangeError("bad " + 7);\n}\nconst unused: number = 3;\n\nf()';
    const r = await k.execute(code);
    expect(r.reply.content).toMatchObject({ status: "error", ename: "RangeError", evalue: "bad 7" });
    const [err] = ofType(r, "error");
    expect(err.content).toMatchObject({ ename: "RangeError", evalue: "bad 7" });
    const tb = (err.content.traceback as string[]).join("\n");
    expect(tb).toContain("at f (cell line 3, column 9)");
    expect(tb).toContain("at cell line 7");
  });

  it("reports a TypeScript diagnostic with the cell's line:col", async () => {
    const r = await k.execute('const ok = 1;\nconst n: number = "text";');
    expect(r.reply.content).toMatchObject({ status: "error", ename: "TypeScriptError" });
    expect(String(r.reply.content.evalue)).toMatch(/^2:7 - Type 'string' is not assignable to type 'number'/);
  });

  it("runs a re-run cell afresh: its compile is kept, its values and errors are not", async () => {
    const text = async (code: string) => {
      const r = await k.execute(code);
      return r.reply.content.status === "ok" ? ofType(r, "execute_result")[0]?.content.data["text/plain"] : r.reply.content.ename;
    };
    await text("let rerun = 1;");
    // The same text after the same declarations: the second and third compile come from the cache.
    expect([await text("rerun += 1"), await text("rerun += 1"), await text("rerun += 1")]).toEqual(["2", "3", "4"]);
    await text("rerun = 10;");
    expect(await text("rerun += 1")).toBe("11");
    const bad = 'const notANumber: number = "x";';
    expect([await text(bad), await text(bad), await text(bad)]).toEqual(["TypeScriptError", "TypeScriptError", "TypeScriptError"]);
    // A name declared again with another type: the earlier declarations differ, so no stale compile.
    await text("let shape = 3;");
    expect([await text("shape * 2"), await text("shape * 2")]).toEqual(["6", "6"]);
    await text('let shape = "square";');
    expect(await text("shape * 2")).toBe("TypeScriptError");
  });

  it("runs the next cell right after an error: no abort", async () => {
    await k.execute('throw new Error("first")');
    const next = await k.execute("40 + 2");
    expect(next.reply.content.status).toBe("ok");
    expect(ofType(next, "execute_result")[0].content.data).toMatchObject({ "text/plain": "42" });
  });

  it("with stop_on_error aborts only the executes queued behind the failure; without it they run", async () => {
    const [failed, aborted] = await k.executeQueued(['await new Promise((r) => setTimeout(r, 300));\nthrow new Error("stop")', "1"]);
    expect(failed.reply.content.status).toBe("error");
    expect(aborted.reply.content.status).toBe("aborted");
    const [failed2, ran] = await k.executeQueued(['await new Promise((r) => setTimeout(r, 300));\nthrow new Error("go on")', "2"], { stop_on_error: false });
    expect(failed2.reply.content.status).toBe("error");
    expect(ran.reply.content.status).toBe("ok");
  });

  it("survives an unhandled rejection in learner code", async () => {
    await k.execute('Promise.reject(new Error("nobody waits for me")); 0');
    await sleep(100);
    expect((await k.execute("3")).reply.content.status).toBe("ok");
    expect(k.child.exitCode).toBeNull();
  });

  it("survives an error thrown later by a cell's timer", async () => {
    await k.execute('setTimeout(() => { throw new Error("thrown from a timer"); }, 10); 0');
    await sleep(200);
    expect((await k.execute("4")).reply.content.status).toBe("ok");
    expect(k.child.exitCode).toBeNull();
  });
});

describe("stdin", () => {
  it("asks the front end with input_request, parented to the execute request, and uses its input_reply", async () => {
    const asked: [string, boolean][] = [];
    k.onInput = (prompt, password) => (asked.push([prompt, password]), password ? "hunter2" : `typed after ${prompt}`);
    try {
      const r = await k.execute('import { input } from "rnnlab";\nconst who = await input("name? ");\nconst pin = await input("pin? ", { password: true });\n`${who.toUpperCase()} ${pin.length}`', { allow_stdin: true });
      expect(r.reply.content.status, JSON.stringify(r.reply.content)).toBe("ok");
      expect(asked).toEqual([["name? ", false], ["pin? ", true]]);
      expect(ofType(r, "execute_result")[0]?.content.data).toMatchObject({ "text/plain": "'TYPED AFTER NAME?  7'" });
    } finally {
      k.onInput = undefined;
    }
  });

  it("fails input() at once with StdinNotImplementedError when the request has allow_stdin false", async () => {
    const r = await k.execute('import { input as ask } from "rnnlab";\nawait ask("never answered ");');
    expect(r.reply.content).toMatchObject({ status: "error", ename: "StdinNotImplementedError" });
    expect(String(r.reply.content.evalue)).toContain("allow_stdin false");
  });
});

describe("display", () => {
  it("sends a chart as one display_data with vega-lite, PNG and text/plain", async () => {
    const r = await k.execute('display(plot.line({ loss: [3, 2, 1.5, 1.2] }, { title: "loss" }));');
    const [d] = ofType(r, "display_data");
    const data = d.content.data as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "text/plain"]);
    expect(String(data["image/png"])).toMatch(/^iVBORw0KGgo/); // base64 of the PNG signature
    expect((data["application/vnd.vegalite.v5+json"] as { $schema: string }).$schema).toMatch(/vega-lite\/v5/);
  });

  it("updates a display in place with update_display_data carrying its display_id", async () => {
    const first = await k.execute('const handle = display("step 1");');
    const id = (ofType(first, "display_data")[0].content.transient as { display_id: string }).display_id;
    expect(id).toBeTruthy();
    const r = await k.execute('handle.update("step 2");');
    const [u] = ofType(r, "update_display_data");
    expect(u.content).toMatchObject({ data: { "text/plain": "step 2" }, transient: { display_id: id } });
  });

  it("clears output with clear_output", async () => {
    const r = await k.execute('console.log("old");\nclearOutput(true);\nconsole.log("new");');
    expect(ofType(r, "clear_output")[0].content).toEqual({ wait: true });
  });
});

describe("complete, inspect, is_complete, history, comm_info", () => {
  it("completes names from earlier cells and library members", async () => {
    await k.execute("const learningRate = 0.01;");
    const r = await k.request("complete_request", { code: "learningR", cursor_pos: 9 });
    expect(r.reply.content).toMatchObject({ status: "ok", cursor_start: 0, cursor_end: 9 });
    expect(r.reply.content.matches).toContain("learningRate");
    const lib = await k.request("complete_request", { code: "plot.hea", cursor_pos: 8 });
    expect(lib.reply.content.matches).toContain("heatmap");
  });

  it("inspects the symbol under the cursor", async () => {
    const r = await k.request("inspect_request", { code: "learningRate", cursor_pos: 3, detail_level: 0 });
    expect(r.reply.content).toMatchObject({ status: "ok", found: true });
    expect((r.reply.content.data as Record<string, string>)["text/plain"]).toContain("learningRate: 0.01");
  });

  it("tells complete, incomplete and invalid code apart", async () => {
    const status = async (code: string) => (await k.request("is_complete_request", { code })).reply.content.status;
    expect(await status("1 + 1")).toBe("complete");
    expect(await status("function f() {")).toBe("incomplete");
    expect(await status("1 +* 2")).toBe("invalid");
  });

  it("returns this session's history by tail and by range", async () => {
    const last = await k.execute("'history probe'");
    const n = last.reply.content.execution_count as number;
    const tail = await k.request("history_request", { hist_access_type: "tail", n: 1, output: false, raw: true });
    expect(tail.reply.content.history).toEqual([[1, n, "'history probe'"]]);
    const range = await k.request("history_request", { hist_access_type: "range", session: 0, start: n, stop: n + 1, output: true, raw: true });
    expect(range.reply.content.history).toEqual([[1, n, ["'history probe'", "'history probe'"]]]);
  });

  it("answers comm_info with no comms", async () => {
    const r = await k.request("comm_info_request", {});
    expect(r.reply.content).toEqual({ status: "ok", comms: {} });
  });
});

describe("iopub", () => {
  it("tells a client that has just subscribed that the kernel is idle, with no request sent", async () => {
    const late = new Subscriber();
    late.subscribe();
    late.connect(`tcp://127.0.0.1:${k.info.iopub_port}`);
    try {
      const frames = await within(late.receive(), 5_000, () => "no iopub message reached a newly subscribed client");
      const m = decode(frames as Buffer[], k.signer);
      expect(m?.header.msg_type).toBe("status");
      expect(m?.content).toEqual({ execution_state: "idle" });
      expect(m?.parent_header).toEqual({});
    } finally {
      late.close();
    }
  });
});

describe("heartbeat, signatures, interrupt", () => {
  it("echoes the heartbeat", async () => {
    expect(await k.heartbeat("ping-42")).toBe("ping-42");
  });

  it("drops a message with a bad signature and keeps serving", async () => {
    const { msgId, reply } = k.send(
      (k as unknown as { shell: never }).shell,
      "execute_request",
      { code: 'console.log("forged")', silent: false, store_history: true, user_expressions: {}, allow_stdin: false },
      (frames) => frames.map((f, i) => (i === 1 ? Buffer.from("0".repeat(64)) : f)),
    );
    const answered = await Promise.race([reply.then(() => true), sleep(1500).then(() => false)]);
    expect(answered).toBe(false);
    const ok = await k.execute("5");
    expect(ok.reply.content.status).toBe("ok");
    expect(msgId).toBeTruthy();
  });

  it("stops a runaway loop on SIGINT and lives on", async () => {
    const running = k.execute("let spins = 0;\nwhile (true) { spins++; }");
    await sleep(1500);
    k.child.kill("SIGINT");
    const r = await running;
    expect(r.reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    const after = await k.execute("6 * 7");
    expect(ofType(after, "execute_result")[0].content.data).toMatchObject({ "text/plain": "42" });
  }, 60_000);

  // interrupt_mode is "signal", so Jupyter interrupts with SIGINT; interrupt_request (message
  // mode) is answered too, and stops a cell that waits, such as a training loop between awaits.
  it("stops a waiting cell on interrupt_request over the control channel", async () => {
    const running = k.execute("await new Promise((r) => setTimeout(r, 600_000));");
    await sleep(1500);
    const r = await k.request("interrupt_request", {}, "control");
    expect(r.reply.content.status).toBe("ok");
    expect((await running).reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect((await k.execute("1")).reply.content.status).toBe("ok");
  }, 60_000);
});

describe("before the type checker has loaded", () => {
  it("runs the first cells at once and carries their types to later cells", async () => {
    const fresh = await KernelClient.start();
    try {
      const a = await fresh.execute("const early: number = 20;\nearly + 1");
      expect(ofType(a, "execute_result")[0]?.content.data).toMatchObject({ "text/plain": "21" });
      const b = await fresh.execute("early.toFixed(1)");
      expect(ofType(b, "execute_result")[0]?.content.data).toMatchObject({ "text/plain": "'20.0'" });
      const info = await fresh.request("inspect_request", { code: "early", cursor_pos: 2, detail_level: 0 });
      expect((info.reply.content.data as Record<string, string>)["text/plain"]).toContain("early: number");
      const typed = await fresh.execute('const later: number = "x";');
      expect(typed.reply.content).toMatchObject({ status: "error", ename: "TypeScriptError" });
    } finally {
      await fresh.close();
    }
  });

  it("reports a type error of a cell that ran before the checker loaded, under the next cell", async () => {
    const fresh = await KernelClient.start();
    try {
      // Sent as soon as the kernel answers kernel_info: the checker needs about a second more.
      const first = await fresh.execute('const bad: number = "text";\nbad.length');
      expect(first.reply.content.status, "the first cell should run before the checker has loaded").toBe("ok");
      expect(ofType(first, "execute_result")[0]?.content.data).toMatchObject({ "text/plain": "4" });
      const thrown = await fresh.execute('const z = 1;\nthrow new Error("early boom");');
      expect(thrown.reply.content).toMatchObject({ status: "error", ename: "Error", evalue: "early boom" });
      expect((thrown.reply.content.traceback as string[]).join("\n")).toContain("cell line 2");
      const next = await fresh.execute("typeof bad");
      const stderr = ofType(next, "stream").filter((m) => m.content.name === "stderr").map((m) => m.content.text).join("");
      expect(stderr).toContain('the cell starting "const bad: number = "text";" ran before the type checker had loaded');
      expect(stderr).toContain("1:7 - Type 'string' is not assignable to type 'number'");
      expect(ofType(next, "execute_result")[0]?.content.data).toMatchObject({ "text/plain": "'string'" });
      // The failed cell's names were never declared, as for any cell that throws.
      const missing = await fresh.execute("z");
      expect(missing.reply.content).toMatchObject({ status: "error", ename: "TypeScriptError" });
    } finally {
      await fresh.close();
    }
  });
});

describe("shutdown", () => {
  it("replies to shutdown (and restart) and exits cleanly", async () => {
    for (const restart of [true, false]) {
      const c = await KernelClient.start();
      try {
        const exited = new Promise<number | null>((r) => c.child.on("exit", (code) => r(code)));
        const { reply } = c.send((c as unknown as { control: never }).control, "shutdown_request", { restart });
        const why = (what: string) => () => `${what} within 30 s (restart ${restart}); kernel stderr: ${c.stderr.slice(-2000)}`;
        expect((await within(reply, 30_000, why("no shutdown_reply"))).content).toEqual({ status: "ok", restart });
        expect(await within(exited, 30_000, why("the kernel did not exit"))).toBe(0);
      } finally {
        await c.close();
      }
    }
  }, 120_000);
});
