/**
 * The Jupyter wire protocol (messaging spec 5.3): connection files, message frames and their
 * HMAC-SHA256 signatures.
 *
 *   [routing ids…, "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers…]
 *
 * The signature is the hex HMAC of the four JSON frames under the connection file's key; a
 * message whose signature does not match is dropped, as the spec requires.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import * as fs from "node:fs";

export interface ConnectionInfo {
  transport: string;
  ip: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
}

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export interface Message<C = Record<string, unknown>> {
  ids: Buffer[];
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

export const DELIMITER = "<IDS|MSG>";
export const PROTOCOL_VERSION = "5.3";

export function readConnectionFile(path: string): ConnectionInfo {
  let info: ConnectionInfo;
  try {
    info = JSON.parse(fs.readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`rnnlab kernel: connection file: could not read "${path}": ${(err as Error).message}`);
  }
  if (info.signature_scheme && info.key && info.signature_scheme !== "hmac-sha256") {
    throw new Error(`rnnlab kernel: connection file: signature_scheme: expected "hmac-sha256", got "${info.signature_scheme}".`);
  }
  return info;
}

export class Signer {
  constructor(private readonly key: string) {}

  sign(parts: string[]): string {
    if (!this.key) return "";
    const h = createHmac("sha256", this.key);
    for (const p of parts) h.update(p);
    return h.digest("hex");
  }

  verify(signature: string, parts: string[]): boolean {
    if (!this.key) return true;
    const expected = Buffer.from(this.sign(parts));
    const got = Buffer.from(signature);
    return expected.length === got.length && timingSafeEqual(expected, got);
  }
}

/** Parses frames off a socket; returns undefined for malformed or badly signed messages. */
export function decode(frames: Buffer[], signer: Signer): Message | undefined {
  const i = frames.findIndex((f) => f.toString() === DELIMITER);
  if (i < 0 || frames.length < i + 6) return undefined;
  const [signature, header, parent, metadata, content] = frames.slice(i + 1, i + 6).map((f) => f.toString());
  if (!signer.verify(signature, [header, parent, metadata, content])) return undefined;
  try {
    return {
      ids: frames.slice(0, i),
      header: JSON.parse(header),
      parent_header: JSON.parse(parent),
      metadata: JSON.parse(metadata),
      content: JSON.parse(content),
      buffers: frames.slice(i + 6),
    };
  } catch {
    return undefined;
  }
}

export function makeHeader(msgType: string, session: string): Header {
  return { msg_id: randomUUID(), session, username: "rnnlab", date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION };
}

/** Frames for a reply or broadcast to `parent`, addressed to `ids`. */
export function encode(
  signer: Signer, session: string, msgType: string, content: unknown, parent: Partial<Header>, ids: Buffer[], metadata: Record<string, unknown> = {},
): Buffer[] {
  const parts = [JSON.stringify(makeHeader(msgType, session)), JSON.stringify(parent ?? {}), JSON.stringify(metadata), JSON.stringify(content)];
  return [...ids, Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts.map((p) => Buffer.from(p))];
}
