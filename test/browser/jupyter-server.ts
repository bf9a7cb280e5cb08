/**
 * A Jupyter server for a browser test: JupyterLab 4 or Notebook 7 from build/jupyterlab-venv
 * (`npm run setup:lab`), or Debian's classic Notebook 6.4, on 127.0.0.1 with a random token, in
 * the same isolated environment `npm start` uses (config and data under a fresh folder in
 * build/, the rnnlab kernelspec from build/jupyter), so no earlier run's workspace or setting
 * leaks in.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { LAB_VENV, isolatedJupyterEnv } from "../../src/runner/jupyter-front-end";

export const ROOT = path.resolve(__dirname, "../..");
export const SHOTS = path.join(ROOT, "build", "browser-screenshots");

export type ServerKind = "lab" | "notebook7" | "classic";

export interface JupyterServer {
  kind: ServerKind;
  url: string;
  token: string;
  /** GET a REST path (`/api/kernels`) with the token. */
  api<T>(p: string): Promise<T>;
  /** Shuts down every kernel session (a finished part of a test must not use the CPU). */
  shutdownSessions(): Promise<void>;
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

function command(kind: ServerKind): { exe: string; args: string[] } {
  const venvJupyter = path.join(LAB_VENV, "bin", "jupyter");
  if (kind === "classic") return { exe: "/usr/bin/python3", args: ["-m", "notebook"] };
  if (!fs.existsSync(venvJupyter)) throw new Error(`test:browser: ${venvJupyter} is missing; run \`npm run setup:lab\` first.`);
  return { exe: venvJupyter, args: [kind === "lab" ? "lab" : "notebook"] };
}

/** Starts a server on `root` and resolves once its REST API answers. */
export async function startServer(kind: ServerKind, root: string): Promise<JupyterServer> {
  const port = await freePort();
  const token = crypto.randomBytes(16).toString("hex");
  const home = path.join(ROOT, "build", "browser-test", kind);
  fs.rmSync(home, { recursive: true, force: true });
  const env = isolatedJupyterEnv(process.env, home);
  // JupyterLab's first start asks whether to fetch news, in a toast over the notebook.
  const notification = path.join(env.JUPYTERLAB_SETTINGS_DIR!, "@jupyterlab", "apputils-extension", "notification.jupyterlab-settings");
  fs.mkdirSync(path.dirname(notification), { recursive: true });
  fs.writeFileSync(notification, JSON.stringify({ fetchNews: "false", checkForUpdates: false }));
  // Every cell in the page, so the test can read every output: by default JupyterLab keeps
  // only the cells near the viewport in the DOM.
  const tracker = path.join(env.JUPYTERLAB_SETTINGS_DIR!, "@jupyterlab", "notebook-extension", "tracker.jupyterlab-settings");
  fs.mkdirSync(path.dirname(tracker), { recursive: true });
  fs.writeFileSync(tracker, JSON.stringify({ windowingMode: "none" }));
  const { exe, args } = command(kind);
  const common = ["--no-browser", "--ip=127.0.0.1", `--port=${port}`, `--notebook-dir=${root}`];
  const specific =
    kind === "classic"
      ? [`--NotebookApp.token=${token}`, "--NotebookApp.port_retries=0"]
      : [
          `--IdentityProvider.token=${token}`,
          "--ServerApp.port_retries=0",
          // Exposes window.jupyterapp so the test can read the document model (dirty flag).
          `--${kind === "lab" ? "LabApp" : "JupyterNotebookApp"}.expose_app_in_browser=True`,
        ];
  const asRoot = process.getuid?.() === 0 ? ["--allow-root"] : [];
  const child: ChildProcess = spawn(exe, [...args, ...common, ...specific, ...asRoot], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const api = async <T>(p: string): Promise<T> => {
    const r = await fetch(`${url}${p}`, { headers: { Authorization: `token ${token}` } });
    if (!r.ok) throw new Error(`GET ${p}: HTTP ${r.status}`);
    return (await r.json()) as T;
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jupyter ${kind} exited with ${child.exitCode}:\n${output.slice(-3000)}`);
    try {
      await api("/api/status");
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`jupyter ${kind} did not answer on ${url} within 90 s:\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  return {
    kind,
    url,
    token,
    api,
    shutdownSessions: async () => {
      for (const s of await api<{ id: string }[]>("/api/sessions")) {
        await fetch(`${url}/api/sessions/${s.id}`, { method: "DELETE", headers: { Authorization: `token ${token}` } });
      }
    },
    log: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      // A second SIGTERM skips Jupyter's "shut down this server?" wait.
      setTimeout(() => child.exitCode === null && child.kill("SIGTERM"), 500).unref();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
