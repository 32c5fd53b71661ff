import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { repositoryPath } from '../repository.js';
import type { RuntimeCommand, RuntimeDescriptor } from '../runtime-descriptor.js';

const VENV_SCRIPT = repositoryPath('runtimes/python/scripts/venv.sh');
const HANDLERS = repositoryPath('test/runtime-conformance/handlers/python');
/** venv.sh's exit status when python3 is not installed. */
const NO_PYTHON = 3;

let python: string | undefined;

function command(...argv: string[]): RuntimeCommand {
  if (python === undefined) throw new Error('the python runtime was not prepared');
  const [program = '', ...rest] = argv;
  const resolved = program === 'python' ? python : `${dirname(python)}/${program}`;
  return { argv: [resolved, ...rest], cwd: HANDLERS, env: { HANDLER_MODULE: 'conformance_handler' } };
}

/** The Python runtime (runtimes/python: Flask under Gunicorn), in the virtualenv venv.sh makes. */
export const pythonRuntime: RuntimeDescriptor = {
  name: 'python',
  prepare: async () => {
    const made = spawnSync('bash', [VENV_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (made.status === NO_PYTHON) return 'python3 is not installed';
    if (made.status !== 0) throw new Error(`${VENV_SCRIPT} failed with exit status ${made.status}`);
    python = made.stdout.trim().split('\n').at(-1);
    return undefined;
  },
  http: () => command('nanofaas-python'),
  stdio: () => command('python', '-m', 'nanofaas_runtime.stdio'),
  file: () => command('python', '-m', 'nanofaas_runtime.stdio'),
  oneShot: () => command('nanofaas-python'),
};
