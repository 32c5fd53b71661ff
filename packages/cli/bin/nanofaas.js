#!/usr/bin/env node
// The `nanofaas` command. It runs the compiled CLI in ../dist (built by `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('nanofaas: the CLI is not built yet: run `npm run build` in the repository first');
  process.exit(1);
}
await import(main.href);
