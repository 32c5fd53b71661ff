/*
 * The plain values of the wire contract — header and env-var names, the error catalogue, limits —
 * without the schemas. `@nanofaas/contracts/wire` loads no schema library, so processes whose start-up
 * time matters (the function runtimes) can import it at no cost.
 */
export * from './error-catalogue.js';
export type { ErrorBody, ErrorInfo, ErrorOrigin, ValidationIssue } from './error-info.js';
export * from './headers.js';
export * from './limits.js';
export * from './watchdog-env.js';
