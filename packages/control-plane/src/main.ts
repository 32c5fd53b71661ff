#!/usr/bin/env node
import { buildApp } from './app.js';
import { loadConfig } from './config/load-config.js';
import { registerBundledExamples } from './examples/register-examples.js';
import { denyProcessInspection } from './security/process-hardening.js';

// First, before any secret is read into memory beyond the environment (docs/security.md).
const hardening = denyProcessInspection();

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  console.error(`nanofaas: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}

const app = buildApp(config);
try {
  await app.start();
} catch (error) {
  console.error(`nanofaas: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  await app.stop().catch(() => undefined);
  process.exit(1);
}
console.log(`nanofaas control plane listening on ${app.url()} (backend: ${app.backend.kind})`);
if (config.dashboard.source !== 'off')
  console.log(`nanofaas: dashboard on ${app.url()}/ui/ (README.md, "Dashboard")`);
if (!hardening.applied) console.warn(`nanofaas: warning: process hardening: ${hardening.detail}`);
if (app.adminKey?.path !== undefined) {
  const verb = app.adminKey.created ? 'generated' : 'kept';
  console.log(
    `nanofaas: admin API key ${verb} in ${app.adminKey.path} (send "Authorization: Bearer <key>"; NANOFAAS_API_KEYS sets your own)`,
  );
} else if (config.security.auth === 'off') {
  console.log('nanofaas: NANOFAAS_AUTH=off: the API is open to every local user (single-user machines only)');
}
if (config.backend.kind === 'local' && config.backend.local.examples) {
  const log = (message: string) => console.log(`nanofaas: ${message}`);
  const { registered } = await registerBundledExamples(
    app.services.registry,
    log,
    config.backend.local.pythonExamplesRuntime,
  );
  if (registered.length > 0) log(`example functions: ${registered.join(', ')} (README.md, "Examples")`);
}

let signals = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    signals += 1;
    if (signals > 1) process.exit(1);
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`nanofaas: shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  });
}
