import type { Template } from './template.js';

/** TypeScript on the Node runtime, HTTP mode, warm replicas; built with the CLI's tsc. */
export const nodeTemplate: Template = {
  name: 'node',
  description: 'TypeScript function on the Node runtime (HTTP, warm replicas); deploy builds it with tsc',
  nextSteps: ['nanofaas deploy', `nanofaas invoke <name> --data '{"name":"Ada"}'`],
  files: (name) => [
    {
      path: 'nanofaas.yaml',
      content: `# The FunctionSpec of "${name}" in YAML (docs/configuration.md, "Function specification").
# \`nanofaas deploy\` runs the x-build steps in this folder, then registers or updates the function.
# Relative paths start at this folder; {{node}}, {{nodeRuntime}} and {{tsc}} are resolved by the CLI.
name: ${name}
runtimeMode: HTTP
executionMode: DEPLOYMENT
runtimeCommand: "{{node}} {{nodeRuntime}} dist/handler.js"
workdir: .
timeoutMs: 10000
concurrency: 16
scaling:
  minReplicas: 1
  maxReplicas: 4
x-build:
  - "{{tsc}} -p tsconfig.json"
`,
    },
    {
      path: 'package.json',
      content: `${JSON.stringify(
        {
          name,
          version: '0.1.0',
          private: true,
          type: 'module',
          scripts: { build: 'tsc -p tsconfig.json', test: 'node --test test/' },
        },
        null,
        2,
      )}\n`,
    },
    {
      path: 'tsconfig.json',
      content: `${JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            rootDir: 'src',
            outDir: 'dist',
            types: [],
            skipLibCheck: true,
          },
          include: ['src'],
        },
        null,
        2,
      )}\n`,
    },
    {
      path: 'src/handler.ts',
      content: `/**
 * The function: the Node runtime calls the default export once per invocation with the request and
 * a context, and answers with what it returns (any JSON value). Throwing fails the invocation.
 * The full types are FunctionRequest and FunctionContext of @nanofaas/runtime.
 */
interface FunctionRequest {
  readonly input: unknown;
  readonly metadata: Readonly<Record<string, string>>;
  readonly executionId: string;
  readonly attempt: number;
}

interface FunctionContext {
  /** JSON lines on stderr tagged with the execution id: \`nanofaas logs ${name}\` shows them. */
  readonly logger: { info(msg: string, fields?: Record<string, unknown>): void };
  remainingMs(): number;
}

export default async function handle(request: FunctionRequest, context: FunctionContext) {
  const input = request.input as { name?: unknown } | null;
  const name = typeof input?.name === 'string' && input.name !== '' ? input.name : 'world';
  context.logger.info('greeting', { name });
  return { greeting: \`Hello, \${name}!\` };
}
`,
    },
    {
      path: 'test/handler.test.mjs',
      content: `// Runs the built handler directly: \`npm run build && npm test\` (or \`nanofaas deploy\` builds it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import handle from '../dist/handler.js';

const context = { logger: { info() {} }, remainingMs: () => 1000 };

test('greets by name, and the world by default', async () => {
  assert.deepEqual(await handle({ input: { name: 'Ada' }, metadata: {}, executionId: 'e', attempt: 1 }, context), {
    greeting: 'Hello, Ada!',
  });
  assert.deepEqual(await handle({ input: null, metadata: {}, executionId: 'e', attempt: 1 }, context), {
    greeting: 'Hello, world!',
  });
});
`,
    },
    {
      path: 'README.md',
      content: `# ${name}

A TypeScript function on the nanofaas Node runtime (HTTP mode, warm replicas).

- \`src/handler.ts\` — the handler: the default export gets \`{ input, metadata, executionId }\` and a
  context with a logger; what it returns is the invocation's output.
- \`nanofaas.yaml\` — its FunctionSpec; \`x-build\` compiles \`src/\` to \`dist/\` with tsc.
- \`test/handler.test.mjs\` — a test of the built handler: \`npm run build && npm test\`.

\`\`\`bash
nanofaas deploy                                   # build, register, wait until ready
nanofaas invoke ${name} --data '{"name":"Ada"}'      # {"greeting":"Hello, Ada!"}
nanofaas logs ${name}                                # what the handler logged
\`\`\`
`,
    },
  ],
};
