/**
 * JupyterLab 4 (and Notebook 7, which is built from the same parts) as a learner's page: open a
 * notebook, run cells, read outputs and the kernel's state. Reads go through the DOM a learner
 * sees; `window.jupyterapp` (exposed by the test server) is used only to pick a cell and to read
 * the document's dirty flag.
 */
import type { Locator, Page } from "playwright-core";
import type { JupyterServer } from "./jupyter-server";

/**
 * When a cell has finished is read from the kernel's execute_reply messages, counted in the page:
 * the prompt is no guide, since it shows the execution count as soon as the kernel announces the
 * cell (execute_input), and "[*]" only while the kernel reports itself busy.
 */
export class LabPage {
  /** execute_reply messages the page should have received once every cell run so far has ended. */
  private expectedReplies = 0;

  constructor(
    readonly page: Page,
    readonly server: JupyterServer,
  ) {}

  /** Opens `file` (relative to the server's root) and waits until its kernel is idle. In
   *  JupyterLab each file gets a workspace of its own, reset, so no earlier tab is restored. */
  async open(file: string): Promise<void> {
    const workspace = file.replace(/\W+/g, "-");
    const route = this.server.kind === "lab" ? `/lab/workspaces/${workspace}/tree/${file}?reset&` : `/notebooks/${file}?`;
    await this.page.goto(`${this.server.url}${route}token=${this.server.token}`);
    await this.page.locator(".jp-Notebook .jp-Cell").first().waitFor({ timeout: 120_000 });
    await this.waitKernelIdle(120_000);
    await this.page.evaluate(() => {
      const app = (window as unknown as { jupyterapp: any }).jupyterapp;
      const w = window as unknown as { rnnlabReplies: number };
      w.rnnlabReplies = 0;
      app.shell.currentWidget.sessionContext.session.kernel.anyMessage.connect((_: unknown, m: { direction: string; msg: { header: { msg_type: string } } }) => {
        if (m.direction === "recv" && m.msg.header.msg_type === "execute_reply") w.rnnlabReplies++;
      });
    });
    this.expectedReplies = 0;
  }

  private async replies(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as { rnnlabReplies: number }).rnnlabReplies);
  }

  /** Code cells in the notebook on show. */
  async codeCellCount(): Promise<number> {
    return this.panel().locator(".jp-Notebook .jp-CodeCell").count();
  }

  /** Notes that `n` more cells were sent to the kernel (Run All from a menu, for instance). */
  expectRuns(n: number): void {
    this.expectedReplies += n;
  }

  /** Waits until every cell run so far has its execute_reply. */
  async waitRunsDone(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.replies()) < this.expectedReplies) {
      if (Date.now() > deadline) throw new Error(`cells still running after ${timeoutMs} ms (${await this.replies()} of ${this.expectedReplies} replies)`);
      await this.page.waitForTimeout(200);
    }
  }

  /** Whether every cell run so far has ended. */
  async runsDone(): Promise<boolean> {
    return (await this.replies()) >= this.expectedReplies;
  }

  /** The notebook panel on show (JupyterLab keeps other tabs' panels in the page, hidden). */
  panel(): Locator {
    return this.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)");
  }

  /** The id of the current notebook's kernel, as the server's REST API names it. */
  async kernelId(): Promise<string> {
    return this.page.evaluate(() => {
      const app = (window as unknown as { jupyterapp: any }).jupyterapp;
      return String(app.shell.currentWidget.sessionContext.session.kernel.id);
    });
  }

  /** The notebook panel's cells, in order. */
  cells(): Locator {
    return this.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell");
  }

  cell(i: number): Locator {
    return this.cells().nth(i);
  }

  /** The status the kernel reports to the page (idle, busy, …), read from the app's session. */
  async kernelStatus(): Promise<string> {
    return this.page.evaluate(() => {
      const app = (window as unknown as { jupyterapp: any }).jupyterapp;
      const w = app.shell.currentWidget;
      return String(w?.sessionContext?.kernelDisplayStatus ?? w?.sessionContext?.session?.kernel?.status ?? "none");
    });
  }

  async waitKernelIdle(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.kernelStatus()) !== "idle") {
      if (Date.now() > deadline) throw new Error(`the kernel is not idle after ${timeoutMs} ms (status ${await this.kernelStatus()})`);
      await this.page.waitForTimeout(200);
    }
  }

  /** Whether the document has changes not saved (what "(unsaved changes)" and the tab's dot show). */
  async dirty(): Promise<boolean> {
    return this.page.evaluate(() => {
      const app = (window as unknown as { jupyterapp: any }).jupyterapp;
      return Boolean(app.shell.currentWidget?.context?.model?.dirty);
    });
  }

  /** Selects cell i and runs it (as Shift+Enter does), without waiting for it to end. */
  async runCell(i: number): Promise<void> {
    await this.page.evaluate(async (index) => {
      const app = (window as unknown as { jupyterapp: any }).jupyterapp;
      app.shell.currentWidget.content.activeCellIndex = index;
      // Not awaited: the command's promise ends with the cell, and the caller may want to
      // look at the page while it runs.
      void app.commands.execute("notebook:run-cell");
    }, i);
    this.expectRuns(1);
  }

  /** Waits until cell i, the last one run, has ended. */
  async waitCellDone(_i: number, timeoutMs = 120_000): Promise<void> {
    await this.waitRunsDone(timeoutMs);
  }

  async outputText(i: number): Promise<string> {
    return (await this.cell(i).locator(".jp-OutputArea").allInnerTexts()).join("\n");
  }

  /** Error outputs and stderr streams a learner would see under cell i. */
  async errorsIn(i: number): Promise<string[]> {
    return this.cell(i)
      .locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
      .allInnerTexts();
  }
}
