/** One file of a function template. */
export interface TemplateFile {
  readonly path: string;
  readonly content: string;
  /** 0o755 for scripts. */
  readonly mode?: number;
}

/** A function folder `nanofaas init` can create. */
export interface Template {
  readonly name: string;
  readonly description: string;
  /** The files for a function called `functionName`. */
  files(functionName: string): TemplateFile[];
  /** What to run after init, shown to the user. */
  readonly nextSteps: readonly string[];
}
