#!/usr/bin/env node
// Writes the files generated from the contracts: openapi.yaml (packages/contracts/src/openapi.ts)
// and packages/contracts/generated/contracts.json (the error catalogue and the JSON limits, which
// the watchdog's tests — and any runtime in another language — check themselves against).
// `--check` exits 1 instead when a committed file differs from what the contracts generate.
import { readFileSync, writeFileSync } from 'node:fs';
import { buildOpenApiDocument, ErrorCatalogue, JsonLimits } from '@nanofaas/contracts';
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

const catalogueTarget = new URL('../packages/contracts/generated/contracts.json', import.meta.url);
const catalogueText = `${JSON.stringify(
  {
    $comment:
      'GENERATED FILE - do not edit. Source: packages/contracts/src/error-catalogue.ts and limits.ts; regenerate with `npm run build && npm run openapi`.',
    errors: Object.fromEntries(
      Object.entries(ErrorCatalogue).map(([code, { status, origin, retryable }]) => [
        code,
        { status, origin, retryable },
      ]),
    ),
    json: { maxDepth: JsonLimits.maxDepth },
  },
  null,
  2,
)}\n`;

const outputs = [
  [target, text],
  [catalogueTarget, catalogueText],
];
if (process.argv.includes('--check')) {
  for (const [file, expected] of outputs) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {}
    if (current !== expected) {
      console.error(
        `${file.pathname} is stale: run \`npm run build && npm run openapi\` and commit the result.`,
      );
      process.exit(1);
    }
  }
  console.log('generated files are up to date.');
} else {
  for (const [file, content] of outputs) {
    writeFileSync(file, content);
    console.log(`wrote ${file.pathname}`);
  }
}
