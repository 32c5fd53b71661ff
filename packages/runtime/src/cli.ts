#!/usr/bin/env node
import { parseCliArgs, USAGE } from './cli-args.js';
import { loadConfig } from './config.js';
import { loadHandler } from './load-handler.js';
import { createLogger, type Logger } from './logger.js';
import type { RunningServer } from './server.js';

// Each mode's modules are imported only when that mode runs: less to load is a faster cold start.

/** Wires the modes together; resolves to an exit code, or undefined while the server keeps running. */
async function main(): Promise<number | undefined> {
  const args = parseCliArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig(process.env, { handlerPath: args.handlerPath });
  const log = createLogger(
    { level: config.logLevel },
    config.functionName ? { function: config.functionName } : {},
  );
  process.on('unhandledRejection', (reason) => log.error('unhandled promise rejection', { err: reason }));

  if (args.stdio) {
    // stdout carries the output: whatever the function prints goes to stderr instead.
    const { Console } = await import('node:console');
    globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
    const handler = await loadHandler(config.handlerPath);
    const { runStdio } = await import('./run-stdio.js');
    return runStdio(handler, config, { stdin: process.stdin, stdout: process.stdout }, log);
  }
  const handler = await loadHandler(config.handlerPath);
  if (config.oneShot !== undefined && config.executionId !== undefined) {
    const { runOneShot } = await import('./run-one-shot.js');
    return runOneShot(handler, { ...config, executionId: config.executionId, oneShot: config.oneShot }, log);
  }
  const { startServer } = await import('./server.js');
  const server = await startServer(config, handler, { logger: log });
  log.info('listening', {
    url: server.url,
    port: server.port,
    handler: config.handlerPath,
    initDurationMs: server.initDurationMs,
  });
  stopOnSignals(server, log);
  return undefined;
}

function stopOnSignals(server: RunningServer, log: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second signal: stop waiting
    stopping = true;
    log.info('draining', { signal });
    void server.close().then(() => {
      log.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const logger = createLogger();
process.on('uncaughtException', (error) => {
  logger.error('uncaught exception; exiting', { err: error });
  process.exit(1);
});
main().then(
  (code) => {
    // STDIO and one-shot runs end here even if the function left timers or sockets open.
    if (code !== undefined) process.exit(code);
  },
  (error: unknown) => {
    logger.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
