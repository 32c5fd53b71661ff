export {
  ConfigError,
  type ConfigOverrides,
  loadConfig,
  type OneShotConfig,
  type RuntimeConfig,
} from './config.js';
export { ExactNumber } from './exact-number.js';
export { FunctionError, type FunctionErrorOptions, isFunctionError } from './function-error.js';
export { defineFunction, type FunctionContext, type FunctionRequest, type Handler } from './handler.js';
export { HandlerLoadError, loadHandler } from './load-handler.js';
export { createLogger, type LogFields, type Logger, type LogLevel } from './logger.js';
export { type RunningServer, type ServerConfig, type StartServerOptions, startServer } from './server.js';
