/**
 * A learner's side of the hub, as a program: log in through the hub's REST API (JupyterHub 3's
 * POST /hub/api/users/<name>/tokens with {auth: {username, password}}, which runs the hub's own
 * authenticator, PAM here), start and stop their server, and talk to it with
 * @jupyterlab/services (contents, kernels, and cells run over the kernel's websocket).
 */
import { ContentsManager, KernelManager, ServerConnection, type Kernel, type KernelMessage } from "@jupyterlab/services";
// ws: the WebSocket @jupyterlab/services needs in Node 20 (Node 22 has one built in); untyped here.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const WebSocket: unknown = require("ws");

export class HubError extends Error {
  override name = "HubError";
}

export interface CellResult {
  status: string;
  stdout: string;
  /** text/plain of the cell's value, if any */
  value: string;
  error: string;
}

export class Learner {
  readonly contents: ContentsManager;
  readonly kernels: KernelManager;

  constructor(
    readonly hubUrl: string,
    readonly name: string,
    readonly token: string,
  ) {
    const base = `${hubUrl}/user/${name}/`;
    const serverSettings = ServerConnection.makeSettings({
      baseUrl: base,
      wsUrl: base.replace(/^http/, "ws"),
      token,
      appendToken: true,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    this.contents = new ContentsManager({ serverSettings });
    this.kernels = new KernelManager({ serverSettings });
  }

  private async api(method: string, route: string, body?: unknown): Promise<Response> {
    return fetch(`${this.hubUrl}/hub/api${route}`, { method, headers: { Authorization: `token ${this.token}` }, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  /** Starts the learner's server and waits until the hub says it is ready. */
  async startServer(timeoutMs = 180_000): Promise<void> {
    const r = await this.api("POST", `/users/${this.name}/server`);
    if (r.status !== 201 && r.status !== 202 && r.status !== 400) throw new HubError(`hub: starting ${this.name}'s server: expected 201 or 202, got ${r.status} ${await r.text()}`);
    const end = Date.now() + timeoutMs;
    for (;;) {
      const user = (await (await this.api("GET", `/users/${this.name}`)).json()) as { servers?: Record<string, { ready: boolean }> };
      if (user.servers?.[""]?.ready) return;
      if (Date.now() > end) throw new HubError(`hub: expected ${this.name}'s server to be ready within ${timeoutMs / 1000} s, got ${JSON.stringify(user.servers)}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  }

  async stopServer(timeoutMs = 120_000): Promise<void> {
    const r = await this.api("DELETE", `/users/${this.name}/server`);
    if (r.status !== 204 && r.status !== 202) throw new HubError(`hub: stopping ${this.name}'s server: expected 204 or 202, got ${r.status} ${await r.text()}`);
    const end = Date.now() + timeoutMs;
    for (;;) {
      const user = (await (await this.api("GET", `/users/${this.name}`)).json()) as { servers?: Record<string, unknown> };
      if (!user.servers?.[""]) return;
      if (Date.now() > end) throw new HubError(`hub: expected ${this.name}'s server to stop within ${timeoutMs / 1000} s, got ${JSON.stringify(user.servers)}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  }

  async startKernel(name = "rnnlab"): Promise<Kernel.IKernelConnection> {
    return this.kernels.startNew({ name });
  }
}

/** Logs in with a password through the hub's REST API; the token is the learner's own. */
export async function logIn(hubUrl: string, name: string, password: string): Promise<Learner> {
  const r = await fetch(`${hubUrl}/hub/api/users/${name}/tokens`, {
    method: "POST",
    body: JSON.stringify({ auth: { username: name, password }, note: "rnnlab hub client" }),
  });
  if (r.status !== 201 && r.status !== 200) throw new HubError(`hub: logging in ${name}: expected 200 or 201, got ${r.status} ${(await r.text()).slice(0, 200)}`);
  const { token } = (await r.json()) as { token: string };
  return new Learner(hubUrl, name, token);
}

/** Runs one cell in a kernel over its websocket and gathers what it printed and returned. */
export async function runCell(kernel: Kernel.IKernelConnection, code: string): Promise<CellResult> {
  const result: CellResult = { status: "", stdout: "", value: "", error: "" };
  const future = kernel.requestExecute({ code, stop_on_error: true });
  future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
    const c = msg.content as Record<string, unknown>;
    if (msg.header.msg_type === "stream") result.stdout += String(c.text);
    if (msg.header.msg_type === "execute_result") result.value += String((c.data as Record<string, unknown>)["text/plain"] ?? "");
    if (msg.header.msg_type === "error") result.error += `${c.ename}: ${c.evalue}`;
  };
  const reply = await future.done;
  result.status = String(reply.content.status);
  return result;
}
