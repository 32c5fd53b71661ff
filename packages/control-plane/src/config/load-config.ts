import { type AdmissionConfig, loadAdmissionConfig } from './admission-config.js';
import { type BackendConfig, loadBackendConfig } from './backend-config.js';
import { type DashboardConfig, loadDashboardConfig } from './dashboard-config.js';
import { type Env, EnvReader } from './env-reader.js';
import { type FunctionLogsConfig, loadFunctionLogsConfig } from './function-logs-config.js';
import { type LogConfig, loadLogConfig } from './log-config.js';
import { loadSchedulerConfig, type SchedulerConfig } from './scheduler-config.js';
import { loadSecurityConfig, type SecurityConfig } from './security-config.js';
import { loadServerConfig, type ServerConfig } from './server-config.js';
import { loadStoreConfig, type StoreConfig } from './store-config.js';

export interface Config {
  readonly server: ServerConfig;
  readonly store: StoreConfig;
  readonly scheduler: SchedulerConfig;
  readonly admission: AdmissionConfig;
  readonly security: SecurityConfig;
  readonly log: LogConfig;
  readonly functionLogs: FunctionLogsConfig;
  readonly backend: BackendConfig;
  readonly dashboard: DashboardConfig;
}

/** Every setting of the control plane from the environment: validated, defaulted, frozen (STYLE.md §4). */
export function loadConfig(env: Env, cwd: string = process.cwd()): Config {
  const reader = new EnvReader(env);
  return deepFreeze({
    server: loadServerConfig(reader),
    store: loadStoreConfig(reader),
    scheduler: loadSchedulerConfig(reader),
    admission: loadAdmissionConfig(reader),
    security: loadSecurityConfig(reader),
    log: loadLogConfig(reader),
    functionLogs: loadFunctionLogsConfig(reader),
    backend: loadBackendConfig(env, reader, cwd),
    dashboard: loadDashboardConfig(reader, cwd),
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
