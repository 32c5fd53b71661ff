import { runtimeDescriptors } from './descriptors/index.js';
import type { RuntimeDescriptor } from './runtime-descriptor.js';

export interface SelectedRuntime {
  readonly descriptor: RuntimeDescriptor;
  /** Why its cases are skipped, when it cannot run here. */
  readonly skip: string | false;
}

/**
 * The runtimes to test: NANOFAAS_CONFORMANCE_RUNTIMES=node,python picks some (default: all), each
 * prepared once per test file. An unknown name is an error, not a silent pass.
 */
export async function selectRuntimes(env: NodeJS.ProcessEnv = process.env): Promise<SelectedRuntime[]> {
  const wanted = env['NANOFAAS_CONFORMANCE_RUNTIMES']
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown =
    wanted?.filter((name) => !runtimeDescriptors.some((runtime) => runtime.name === name)) ?? [];
  if (unknown.length > 0) {
    const known = runtimeDescriptors.map((runtime) => runtime.name).join(', ');
    throw new Error(
      `NANOFAAS_CONFORMANCE_RUNTIMES: unknown runtime(s) ${unknown.join(', ')}; known: ${known}`,
    );
  }
  const chosen =
    wanted === undefined ? runtimeDescriptors : runtimeDescriptors.filter((r) => wanted.includes(r.name));
  const selected: SelectedRuntime[] = [];
  for (const descriptor of chosen) {
    const reason = await descriptor.prepare();
    selected.push({ descriptor, skip: reason === undefined ? false : `${descriptor.name}: ${reason}` });
  }
  return selected;
}

/** node:test options of one case: `todo` when the runtime lists the case as not passing yet. */
export function caseOptions(descriptor: RuntimeDescriptor, caseId: string): { todo?: string } {
  const reason = descriptor.todo?.[caseId];
  return reason === undefined ? {} : { todo: reason };
}
