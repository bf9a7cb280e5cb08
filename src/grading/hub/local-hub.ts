/**
 * Runs the checked-in hub configuration (jupyterhub_config.py) on 127.0.0.1 for a test or a
 * measurement, with local accounts made for it: Debian's jupyterhub, as root, on free ports, with
 * its state in a folder of its own. `stop()` ends the hub (which stops the learners' servers) and
 * its whole process group.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

export const HUB_CONFIG = path.resolve(__dirname, "../../../src/grading/hub/jupyterhub_config.py");
export const JUPYTERHUB = "/usr/bin/jupyterhub";

export interface LocalHubOptions {
  /** hub:install's --prefix */
  install: string;
  /** a Jupyter data folder holding kernels/rnnlab (hub:install's --kernel-prefix + share/jupyter) */
  kernels: string;
  state: string;
  exchange: string;
  users: string[];
  admins?: string[];
}

export interface LocalHub {
  url: string;
  process: ChildProcess;
  log: () => string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A local account with a fresh random password (made if missing), for PAM. */
export function ensureLocalUser(name: string): string {
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(name)) throw new Error(`local-hub: name: expected a lowercase login name, got ${JSON.stringify(name)}.`);
  try {
    execFileSync("id", ["-u", name], { stdio: "ignore" });
  } catch {
    execFileSync("useradd", ["--create-home", "--shell", "/bin/bash", name]);
  }
  // Homes are private here whatever useradd's HOME_MODE is: the hub serves each learner their own.
  const home = execFileSync("getent", ["passwd", name], { encoding: "utf8" }).split(":")[5];
  fs.chmodSync(home, 0o700);
  const password = randomBytes(12).toString("base64url");
  execFileSync("chpasswd", { input: `${name}:${password}\n` });
  return password;
}

export function removeLocalUser(name: string): void {
  try {
    execFileSync("userdel", ["--remove", name], { stdio: "ignore" });
  } catch {
    // already gone
  }
}

async function waitFor(url: string, hub: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (hub.exitCode !== null) throw new Error(`local-hub: jupyterhub exited with code ${hub.exitCode} before answering:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`local-hub: expected jupyterhub to answer ${url} within ${timeoutMs / 1000} s, got no answer:\n${log()}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export async function startLocalHub(o: LocalHubOptions): Promise<LocalHub> {
  if (process.getuid?.() !== 0) throw new Error("local-hub: expected to run as root (the hub starts each learner's server under their uid), got a non-root user.");
  if (!fs.existsSync(JUPYTERHUB)) throw new Error(`local-hub: expected Debian's jupyterhub at ${JUPYTERHUB}, got nothing; apt-get install -y jupyterhub.`);
  fs.mkdirSync(o.state, { recursive: true, mode: 0o700 });
  const [port, apiPort, hubPort] = [await freePort(), await freePort(), await freePort()];
  const logFile = path.join(o.state, "jupyterhub.log");
  const out = fs.openSync(logFile, "a");
  const env = {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: "/root",
    LANG: "C.UTF-8",
    RNNLAB_HUB_INSTALL: o.install,
    RNNLAB_HUB_KERNELS: o.kernels,
    RNNLAB_HUB_STATE: o.state,
    RNNLAB_HUB_IP: "127.0.0.1",
    RNNLAB_HUB_PORT: String(port),
    RNNLAB_HUB_API_PORT: String(apiPort),
    RNNLAB_HUB_INTERNAL_PORT: String(hubPort),
    RNNLAB_HUB_USERS: o.users.join(","),
    RNNLAB_HUB_ADMINS: (o.admins ?? []).join(","),
    RNNLAB_EXCHANGE: o.exchange,
  };
  const hub = spawn(JUPYTERHUB, ["-f", HUB_CONFIG], { cwd: o.state, env, stdio: ["ignore", out, out], detached: true });
  fs.closeSync(out);
  const log = () => fs.readFileSync(logFile, "utf8").split("\n").slice(-40).join("\n");
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (hub.exitCode === null && hub.signalCode === null) {
      const exited = new Promise((r) => hub.once("exit", r));
      process.kill(-hub.pid!, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    }
    try {
      process.kill(-hub.pid!, "SIGKILL"); // the proxy, if the hub left it behind
    } catch {
      // the group is gone
    }
  };
  try {
    await waitFor(`${url}/hub/api/`, hub, 120_000, log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, process: hub, log, stop };
}
