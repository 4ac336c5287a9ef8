/** Base of the project's errors: a class per kind, a `retriable` flag and a `cause`. */
export class WorkbenchError extends Error {
  readonly retriable: boolean;

  constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
  }
}

/** Input a user gave (a flag, a setting, a file, a control request) is wrong; the message says what and how to fix it. */
export class InvalidInputError extends WorkbenchError {}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
