/**
 * `process.exit()` in a cell would end the kernel: the front end would get no reply and the
 * learner would lose every variable. In the kernel it throws instead, so the cell fails with a
 * message that says what to do; the kernel itself ends through `exitProcess`.
 */

/** Node's own process.exit, for the kernel's shutdown. */
export const exitProcess: (code?: number) => never = process.exit.bind(process);

export class ProcessExitError extends Error {
  constructor(code: unknown) {
    super(`process.exit(${code ?? ""}) would end the kernel and lose every variable; to start afresh, use Kernel → Restart`);
    this.name = "ProcessExitError";
  }
}

export function guardProcessExit(): void {
  process.exit = ((code?: number) => {
    throw new ProcessExitError(code);
  }) as typeof process.exit;
}
