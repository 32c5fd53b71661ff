import type { Template } from './template.js';

/** A POSIX shell script in STDIO mode: the request on stdin, the result on stdout. */
export const shellTemplate: Template = {
  name: 'shell',
  description: 'POSIX shell script in STDIO mode: the request JSON on stdin, the result JSON on stdout',
  nextSteps: ['nanofaas deploy', `nanofaas invoke <name> --data '"hello"'`],
  files: (name) => [
    {
      path: 'nanofaas.yaml',
      content: `# The FunctionSpec of "${name}" in YAML (docs/configuration.md, "Function specification").
# Relative paths start at this folder. STDIO: the watchdog runs handler.sh once per invocation.
name: ${name}
runtimeMode: STDIO
executionMode: DEPLOYMENT
runtimeCommand: ./handler.sh
workdir: .
timeoutMs: 10000
scaling:
  minReplicas: 1
  maxReplicas: 2
`,
    },
    {
      path: 'handler.sh',
      mode: 0o755,
      content: `#!/bin/sh
# STDIO mode: the InvocationRequest JSON ({"input": …, "metadata": …}) arrives on stdin; what this
# prints on stdout (JSON) is the output. stderr lines are the function's logs (\`nanofaas logs\`).
set -eu
request=$(cat)
echo "handling a request of \${#request} characters" >&2
printf '{"request":%s,"length":%d}' "$request" "\${#request}"
`,
    },
    {
      path: 'test.sh',
      mode: 0o755,
      content: `#!/bin/sh
# Runs the handler the way the watchdog does and checks its output.
set -eu
cd "$(dirname "$0")"
output=$(printf '{"input":"hi"}' | ./handler.sh 2>/dev/null)
expected='{"request":{"input":"hi"},"length":14}'
if [ "$output" != "$expected" ]; then
  echo "FAIL: got $output, want $expected" >&2
  exit 1
fi
echo "ok"
`,
    },
    {
      path: 'README.md',
      content: `# ${name}

A shell function in STDIO mode: \`handler.sh\` reads the request JSON on stdin and prints the output
JSON on stdout; what it writes to stderr shows in \`nanofaas logs ${name}\`.

\`\`\`bash
./test.sh                                   # the handler alone
nanofaas deploy                             # register, wait until ready
nanofaas invoke ${name} --data '"hello"'      # {"request":{"input":"hello"},"length":17}
\`\`\`
`,
    },
  ],
};
