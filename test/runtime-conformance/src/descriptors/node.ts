import { existsSync } from 'node:fs';
import { repositoryPath } from '../repository.js';
import type { RuntimeDescriptor } from '../runtime-descriptor.js';

const CLI = repositoryPath('packages/runtime/dist/cli.js');
const HANDLER = repositoryPath('test/runtime-conformance/handlers/node/conformance.mjs');

/** The Node/TypeScript runtime (packages/runtime), run by the Node running the suite. */
export const nodeRuntime: RuntimeDescriptor = {
  name: 'node',
  prepare: async () => (existsSync(CLI) ? undefined : `${CLI} is not built (run npm run build)`),
  http: () => ({ argv: [process.execPath, CLI, HANDLER] }),
  stdio: () => ({ argv: [process.execPath, CLI, '--stdio', HANDLER] }),
  // The Node runtime has no FILE mode of its own: its STDIO mode on the watchdog's files.
  file: () => ({
    argv: [
      'sh',
      '-c',
      'exec "$0" "$1" --stdio "$2" < "$INPUT_FILE" > "$OUTPUT_FILE"',
      process.execPath,
      CLI,
      HANDLER,
    ],
  }),
  oneShot: () => ({ argv: [process.execPath, CLI, HANDLER] }),
};
