#!/usr/bin/env node
// `npm start`: runs the control plane (built by the `prestart` build) with the example functions.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../packages/control-plane/dist/main.js', import.meta.url));
if (!existsSync(main)) {
  console.log('nanofaas: control plane not built yet (packages/control-plane is not in this checkout).');
  process.exit(0);
}
const child = spawn(process.execPath, [main], { stdio: 'inherit', env: process.env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
