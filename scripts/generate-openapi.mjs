#!/usr/bin/env node
// Writes openapi.yaml from the contracts (packages/contracts/src/openapi.ts).
// `--check` exits 1 instead when the committed file differs from what the contracts generate.
import { readFileSync, writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '@nanofaas/contracts';
import { stringify } from 'yaml';

const target = new URL('../openapi.yaml', import.meta.url);
const { version } = JSON.parse(
  readFileSync(new URL('../packages/contracts/package.json', import.meta.url), 'utf8'),
);
const header =
  '# GENERATED FILE - do not edit. Source: packages/contracts/src/openapi.ts.\n' +
  '# Regenerate with `npm run build && npm run openapi`; a test fails when this file is stale.\n';
const text =
  header + stringify(buildOpenApiDocument(version), { lineWidth: 0, aliasDuplicateObjects: false });

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== text) {
    console.error('openapi.yaml is stale: run `npm run build && npm run openapi` and commit the result.');
    process.exit(1);
  }
  console.log('openapi.yaml is up to date.');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target.pathname}`);
}
