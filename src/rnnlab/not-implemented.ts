/**
 * What an exercise stub throws until the learner writes the solution. It is also a global
 * (once rnnlab is imported) so that released stubs need no extra import; the course runner and
 * the grader recognise it by name and report the exercise as not attempted.
 */
class NotImplementedErrorImpl extends Error {
  override name = "NotImplementedError";
  constructor(readonly exercise: string) {
    super(`${exercise}: not implemented yet. Replace the \`throw\` with your solution, then run the test cell below it.`);
  }
}

declare global {
  // eslint-disable-next-line no-var
  var NotImplementedError: typeof NotImplementedErrorImpl;
}

globalThis.NotImplementedError = NotImplementedErrorImpl;

export const NotImplementedError = NotImplementedErrorImpl;
export type NotImplementedError = NotImplementedErrorImpl;
