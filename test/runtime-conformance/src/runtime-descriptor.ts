/**
 * How the conformance suite starts one language runtime. The suite talks to the runtime only through
 * processes, HTTP on loopback, stdin/stdout, files and a callback server; everything it needs from a
 * language is here. README.md ("Adding a runtime") documents each member.
 */
export interface RuntimeCommand {
  /** The program and its arguments (never run through a shell). */
  readonly argv: readonly string[];
  /** Extra environment for the process, on top of what the suite sets for the case. */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory (default: the repository root). */
  readonly cwd?: string;
}

export interface RuntimeDescriptor {
  /** Short name, shown in test titles and used by NANOFAAS_CONFORMANCE_RUNTIMES. */
  readonly name: string;
  /**
   * Makes the runtime runnable (a build, a virtualenv). Resolves to undefined when it is ready, or
   * to the reason it cannot run on this machine (the runtime's cases are then skipped).
   */
  prepare(): Promise<string | undefined>;
  /** A warm HTTP server of the conformance handler, listening on HOST:PORT from the environment. */
  http(): RuntimeCommand;
  /** One InvocationRequest on stdin, the output (or `{"error":…}` with exit 1) on stdout. */
  stdio(): RuntimeCommand;
  /** The same on files: reads INPUT_FILE, writes OUTPUT_FILE (the watchdog's FILE mode). */
  file(): RuntimeCommand;
  /** A one-shot run: EXECUTION_ID, CALLBACK_URL and INVOCATION_PAYLOAD come from the environment. */
  oneShot(): RuntimeCommand;
  /**
   * Cases this runtime does not pass yet, by case id, with the reason: they still run, and are
   * reported as `todo` instead of failing the suite. Keep it empty for a finished runtime.
   */
  readonly todo?: Readonly<Record<string, string>>;
  /** How long a warm HTTP server may take to answer GET /health with 200 (default 30 s; a JVM needs more on a loaded machine). */
  readonly readyTimeoutMs?: number;
}
