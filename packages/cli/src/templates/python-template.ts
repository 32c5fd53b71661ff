import type { Template } from './template.js';

/** Python on the Python runtime (Flask under Gunicorn), HTTP mode, warm replicas. */
export const pythonTemplate: Template = {
  name: 'python',
  description:
    'Python function on the Python runtime (Flask + Gunicorn, HTTP, warm replicas); pip for requirements.txt',
  nextSteps: ['nanofaas deploy', `nanofaas invoke <name> --data '{"name":"Ada"}'`],
  files: (name) => [
    {
      path: 'nanofaas.yaml',
      content: `# The FunctionSpec of "${name}" in YAML (docs/configuration.md, "Function specification").
# \`nanofaas deploy\` runs the x-build steps in this folder, then registers or updates the function.
# {{pythonRuntime}} is the Python runtime's nanofaas-python, {{python}} the Python beside it.
name: ${name}
runtimeMode: HTTP
executionMode: DEPLOYMENT
runtimeCommand: "{{pythonRuntime}}"
workdir: .
env:
  PYTHONPATH: .packages
timeoutMs: 10000
concurrency: 8
scaling:
  minReplicas: 1
  maxReplicas: 2
x-build:
  # The packages of requirements.txt, when it lists any, into .packages (on PYTHONPATH above).
  - "if grep -qvE '^[[:space:]]*(#|$)' requirements.txt; then {{python}} -m pip install --quiet --disable-pip-version-check --target .packages -r requirements.txt; fi"
`,
    },
    {
      path: 'handler.py',
      content: `"""The function: the Python runtime imports this module once and calls handle() per invocation.

request["input"] is the invocation's input (any JSON value); what handle returns is the output.
Raise nanofaas_runtime.FunctionError(code, message) to fail with a code of your own.
"""


def handle(request, context):
    data = request["input"]
    name = data.get("name") if isinstance(data, dict) else None
    if not isinstance(name, str) or name == "":
        name = "world"
    # JSON lines on stderr tagged with the execution id: \`nanofaas logs ${name}\` shows them.
    context.logger.info("greeting", name=name)
    return {"greeting": f"Hello, {name}!"}
`,
    },
    {
      path: 'test_handler.py',
      content: `"""Runs the handler directly: python3 -m unittest"""

import unittest

from handler import handle


class Logger:
    def info(self, msg, **fields):
        pass


class Context:
    logger = Logger()


class HandlerTest(unittest.TestCase):
    def test_greets_by_name_and_the_world_by_default(self):
        self.assertEqual(handle({"input": {"name": "Ada"}, "metadata": {}}, Context()), {"greeting": "Hello, Ada!"})
        self.assertEqual(handle({"input": None, "metadata": {}}, Context()), {"greeting": "Hello, world!"})


if __name__ == "__main__":
    unittest.main()
`,
    },
    { path: 'requirements.txt', content: '# Packages the handler imports, one per line (pip syntax).\n' },
    { path: '.gitignore', content: '.packages/\n__pycache__/\n' },
    {
      path: 'README.md',
      content: `# ${name}

A Python function on the nanofaas Python runtime (Flask under Gunicorn, HTTP mode, warm replicas).

- \`handler.py\` — \`handle(request, context)\`: what it returns is the invocation's output.
- \`requirements.txt\` — packages it needs; \`nanofaas deploy\` installs them into \`.packages/\`.
- \`nanofaas.yaml\` — its FunctionSpec.
- \`test_handler.py\` — a test of the handler alone: \`python3 -m unittest\`.

\`\`\`bash
nanofaas deploy                                   # install requirements, register, wait until ready
nanofaas invoke ${name} --data '{"name":"Ada"}'      # {"greeting":"Hello, Ada!"}
nanofaas logs ${name}
\`\`\`
`,
    },
  ],
};
