// What the suite's files do when a test fails on the test bed: print where its logs are and their
// tails, and keep its directory when it stops.
import type { Testbed } from '../src/index.js';

export class FailureLogs {
  #failed = false;

  /** `testbed` gives the test bed of the moment (undefined before it started). */
  constructor(private readonly testbed: () => Testbed | undefined) {}

  /** Runs a test body; on failure prints where the logs are and their tails, and keeps them. */
  async guard(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      this.#failed = true;
      const bed = this.testbed();
      console.error(`test bed logs kept in ${bed?.dir}\n${bed?.describeLogs(25) ?? ''}`);
      throw error;
    }
  }

  /** Whether the test bed's directory is kept: a test failed, or NANOFAAS_K8S_KEEP=1. */
  get keepDir(): boolean {
    return this.#failed || process.env.NANOFAAS_K8S_KEEP === '1';
  }
}
