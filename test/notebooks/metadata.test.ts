/**
 * Notebooks open clean: a front end copies the kernel's kernelspec and language_info into the
 * notebook's metadata on connect and marks the notebook changed when they differ (the classic
 * Notebook compares them with a deep equality), so every course notebook must carry exactly what
 * the rnnlab kernel reports.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelClient } from "../../src/kernel/client";
import { kernelJson, KERNEL_NAME } from "../../src/kernel/kernelspec";

const ROOT = path.resolve(__dirname, "../..");
const notebooks = ["solutions", "notebooks"].flatMap((dir) =>
  fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith(".ipynb")).map((f) => path.join(dir, f)),
);

let k: KernelClient;
let languageInfo: unknown;
beforeAll(async () => {
  k = await KernelClient.start();
  languageInfo = (await k.request("kernel_info_request")).reply.content.language_info;
});
afterAll(async () => {
  await k?.close();
});

describe("course notebooks' metadata", () => {
  it("covers every course notebook", () => {
    expect(notebooks.length).toBeGreaterThanOrEqual(16);
  });

  it.each(notebooks)("%s has the kernel's kernelspec and language_info", (file) => {
    const meta = JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8")).metadata;
    const spec = kernelJson() as { display_name: string; language: string };
    expect(meta.kernelspec).toEqual({ name: KERNEL_NAME, display_name: spec.display_name, language: spec.language });
    expect(meta.language_info).toEqual(languageInfo);
  });
});
