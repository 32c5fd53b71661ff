/**
 * The exit codes of `nanofaas` (README.md of packages/cli, docs/cli.md). Scripts can tell a
 * function's failure from the platform's and from their own mistakes.
 */
export const ExitCode = Object.freeze({
  /** Done. */
  ok: 0,
  /** Unexpected failure of the CLI itself, or the user declined (delete without --yes). */
  failure: 1,
  /** Invalid input: arguments, flags, --data/--file JSON, the manifest, or the API answered 400/409/413/415. */
  usage: 2,
  /** The function or execution does not exist (404). */
  notFound: 3,
  /** The API key is missing, wrong (401) or lacks the role (403). */
  auth: 4,
  /** The control plane cannot be reached (connection refused, unknown host, no answer). */
  unreachable: 5,
  /** The function failed: it returned an error, crashed or produced invalid output. */
  functionFailed: 6,
  /** The invocation timed out (408, or the execution ended as `timeout`). */
  timeout: 7,
  /** The platform failed or refused for now: 5xx, 429 (rate limit, full queue), shutting down. */
  platform: 8,
  /** `deploy`: a build step failed, or the function did not become ready. */
  deployFailed: 9,
  /** Stopped by Ctrl-C (SIGINT). */
  interrupted: 130,
});
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the CLI reports as one message (and a hint) with its exit code; no stack trace. */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  constructor(message: string, exitCode: ExitCodeValue, hint?: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.hint = hint;
  }
}
