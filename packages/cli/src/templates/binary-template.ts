import type { Template } from './template.js';

/** A compiled executable (C here; any language works the same) in STDIO mode. */
export const binaryTemplate: Template = {
  name: 'binary',
  description:
    'compiled executable (C, built with cc) in STDIO mode; any language that reads stdin works alike',
  nextSteps: ['nanofaas deploy', `nanofaas invoke <name> --data '"some text"'`],
  files: (name) => [
    {
      path: 'nanofaas.yaml',
      content: `# The FunctionSpec of "${name}" in YAML (docs/configuration.md, "Function specification").
# \`nanofaas deploy\` runs x-build in this folder first. Any executable works: swap the build step.
name: ${name}
runtimeMode: STDIO
executionMode: DEPLOYMENT
runtimeCommand: ./handler
workdir: .
timeoutMs: 10000
scaling:
  minReplicas: 1
  maxReplicas: 2
x-build:
  - cc -O2 -Wall -o handler handler.c
`,
    },
    {
      path: 'handler.c',
      content: `/*
 * STDIO mode: the InvocationRequest JSON arrives on stdin; the JSON printed on stdout is the output.
 * This one counts the bytes and lines of the request; stderr lines are its logs.
 */
#include <stdio.h>

int main(void) {
  unsigned long bytes = 0, lines = 0;
  int c;
  while ((c = getchar()) != EOF) {
    bytes++;
    if (c == '\\n') lines++;
  }
  fprintf(stderr, "counted %lu bytes\\n", bytes);
  printf("{\\"bytes\\":%lu,\\"lines\\":%lu}", bytes, lines);
  return 0;
}
`,
    },
    {
      path: 'test.sh',
      mode: 0o755,
      content: `#!/bin/sh
# Builds the handler and checks its output.
set -eu
cd "$(dirname "$0")"
cc -O2 -Wall -o handler handler.c
output=$(printf '{"input":"hi"}' | ./handler 2>/dev/null)
expected='{"bytes":14,"lines":0}'
if [ "$output" != "$expected" ]; then
  echo "FAIL: got $output, want $expected" >&2
  exit 1
fi
echo "ok"
`,
    },
    {
      path: '.gitignore',
      content: 'handler\n',
    },
    {
      path: 'README.md',
      content: `# ${name}

A compiled function in STDIO mode: \`handler.c\` reads the request on stdin and prints JSON on stdout.
\`nanofaas deploy\` compiles it (\`x-build\` in \`nanofaas.yaml\`); any language that builds an
executable works the same way — change the build step and \`runtimeCommand\`.

\`\`\`bash
./test.sh                                        # build and check the handler alone
nanofaas deploy                                  # build, register, wait until ready
nanofaas invoke ${name} --data '"some text"'       # {"bytes":27,"lines":0}
\`\`\`
`,
    },
  ],
};
