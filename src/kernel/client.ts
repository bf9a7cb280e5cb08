/**
 * A minimal Jupyter client over zeromq, for the protocol tests and the kernel benchmark, without
 * Python: starts a kernel on free ports with a fresh key, signs requests, and collects the iopub messages that
 * belong to each request until the kernel reports idle.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Dealer, Request, Subscriber } from "zeromq";
import { Signer, decode, encode, type Message } from "./wire";

const ROOT = path.resolve(__dirname, "../..");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export interface Reply {
  reply: Message;
  /** iopub messages whose parent is the request, up to and including status idle. */
  iopub: Message[];
}

export class KernelClient {
  readonly session = crypto.randomUUID();
  readonly signer: Signer;
  // The kernel addresses input_request by the shell socket's identity: stdin shares it.
  private readonly routingId = crypto.randomUUID();
  private readonly shell = new Dealer({ routingId: this.routingId });
  private readonly stdin = new Dealer({ routingId: this.routingId });
  /** Answers the kernel's input_request (prompt, password) → value; unset, requests go unanswered. */
  onInput: ((prompt: string, password: boolean) => string) | undefined;
  private readonly control = new Dealer();
  private readonly iopub = new Subscriber();
  private readonly hb = new Request();
  private readonly inbox: Message[] = [];
  private readonly replies = new Map<string, (m: Message) => void>();
  private waiters: (() => void)[] = [];
  stderr = "";

  private constructor(readonly child: ChildProcess, readonly info: Record<string, string | number>, key: string, readonly cwd: string) {
    this.signer = new Signer(key);
  }

  /**
   * Starts a kernel and waits until it answers kernel_info with its iopub connected, as
   * jupyter_client's wait_for_ready does. `argv` builds the command from the connection file
   * (default: the rnnlab kernel).
   */
  static async start(cwd = path.join(ROOT, "notebooks"), argv: (connectionFile: string) => string[] = (f) => ["--no-force-async-hooks-checks", path.join(ROOT, "dist/kernel/main.js"), f]): Promise<KernelClient> {
    const key = crypto.randomUUID();
    const info = {
      transport: "tcp", ip: "127.0.0.1", key, signature_scheme: "hmac-sha256",
      shell_port: await freePort(), iopub_port: await freePort(), stdin_port: await freePort(), control_port: await freePort(), hb_port: await freePort(),
    };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rnnlab-kernel-")), "connection.json");
    fs.writeFileSync(file, JSON.stringify(info));
    const child = spawn(process.execPath, argv(file), { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const client = new KernelClient(child, info, key, cwd);
    child.stderr!.on("data", (d) => (client.stderr += d));
    child.stdout!.on("data", (d) => (client.stderr += d));
    const at = (port: number) => `tcp://127.0.0.1:${port}`;
    client.iopub.subscribe();
    client.shell.connect(at(info.shell_port));
    client.control.connect(at(info.control_port));
    client.stdin.connect(at(info.stdin_port));
    void client.answerInput();
    client.iopub.connect(at(info.iopub_port));
    client.hb.connect(at(info.hb_port));
    void client.pump(client.shell);
    void client.pump(client.control);
    void client.pumpIopub();
    // iopub is a pub/sub socket: wait until a request's status reaches us, so no output is lost.
    for (let i = 0; i < 100; i++) {
      const probe = client.send(client.shell, "kernel_info_request", {});
      const seen = await Promise.race([client.waitIopub((m) => m.parent_header.msg_id === probe.msgId && m.header.msg_type === "status"), sleep(200).then(() => undefined)]);
      await within(probe.reply, 60_000, () => `the kernel did not answer kernel_info within 60 s (exit code ${child.exitCode}); its stderr: ${client.stderr.slice(-2000)}`);
      if (seen) break;
    }
    return client;
  }

  private async pump(socket: Dealer): Promise<void> {
    try {
      for await (const frames of socket) {
        const m = decode(frames as Buffer[], this.signer);
        if (m) this.replies.get(String(m.parent_header.msg_id))?.(m);
      }
    } catch {
      /* socket closed */
    }
  }

  private async answerInput(): Promise<void> {
    try {
      for await (const frames of this.stdin) {
        const m = decode(frames as Buffer[], this.signer);
        if (m?.header.msg_type !== "input_request" || !this.onInput) continue;
        const { prompt, password } = m.content as { prompt: string; password: boolean };
        await this.stdin.send(encode(this.signer, this.session, "input_reply", { value: this.onInput(prompt, password) }, m.header, []));
      }
    } catch {
      /* socket closed */
    }
  }

  private async pumpIopub(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        const m = decode(frames as Buffer[], this.signer);
        if (!m) continue;
        this.inbox.push(m);
        const w = this.waiters;
        this.waiters = [];
        w.forEach((f) => f());
      }
    } catch {
      /* socket closed */
    }
  }

  /** Waits for an iopub message matching `pred` (already received or to come). */
  async waitIopub(pred: (m: Message) => boolean, timeoutMs = 60_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.inbox.find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching iopub message within ${timeoutMs} ms; kernel stderr: ${this.stderr.slice(-2000)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  send(socket: Dealer, type: string, content: object, extraFrames?: (frames: Buffer[]) => Buffer[]): { msgId: string; reply: Promise<Message> } {
    let frames = encode(this.signer, this.session, type, content, {}, []);
    const header = JSON.parse(frames[2].toString());
    if (extraFrames) frames = extraFrames(frames);
    const reply = new Promise<Message>((resolve) => this.replies.set(header.msg_id, resolve));
    void socket.send(frames);
    return { msgId: header.msg_id, reply };
  }

  /** A shell (or control) request, its reply, and its iopub messages up to idle. */
  async request(type: string, content: object = {}, channel: "shell" | "control" = "shell"): Promise<Reply> {
    const { msgId, reply } = this.send(channel === "shell" ? this.shell : this.control, type, content);
    const r = await reply;
    await this.waitIopub((m) => m.parent_header.msg_id === msgId && m.header.msg_type === "status" && m.content.execution_state === "idle");
    return { reply: r, iopub: this.inbox.filter((m) => m.parent_header.msg_id === msgId) };
  }

  execute(code: string, extra: object = {}): Promise<Reply> {
    return this.request("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra });
  }

  /** Sends several execute requests at once (queued in the kernel) and collects them all. */
  async executeQueued(codes: string[], extra: object = {}): Promise<Reply[]> {
    const sent = codes.map((code) => this.send(this.shell, "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra }));
    const out: Reply[] = [];
    for (const s of sent) {
      const reply = await s.reply;
      await this.waitIopub((m) => m.parent_header.msg_id === s.msgId && m.header.msg_type === "status" && m.content.execution_state === "idle");
      out.push({ reply, iopub: this.inbox.filter((m) => m.parent_header.msg_id === s.msgId) });
    }
    return out;
  }

  sendRaw(frames: Buffer[]): Promise<void> {
    return this.shell.send(frames);
  }

  async heartbeat(payload: string): Promise<string> {
    await this.hb.send(payload);
    const [echo] = await this.hb.receive();
    return echo.toString();
  }

  async close(): Promise<void> {
    for (const s of [this.shell, this.control, this.stdin, this.iopub, this.hb]) s.close();
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `p`, or an error with `why()` if it has not settled within `ms`. */
export function within<T>(p: Promise<T>, ms: number, why: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(why())), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
export const ofType = (r: Reply, type: string) => r.iopub.filter((m) => m.header.msg_type === type);
