#!/usr/bin/env node
// The `nanofaas-runtime` command. Committed (not built) so that `npm install` can link it before
// any build; it runs the compiled CLI in dist/, which `npm run build` (or `npm start`) produces.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('nanofaas-runtime: dist/cli.js is missing; run `npm run build` first\n');
  process.exit(1);
}
await import(cli.href);
