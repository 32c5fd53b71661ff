import type { RuntimeDescriptor } from '../runtime-descriptor.js';
import { javaRuntime } from './java.js';
import { nodeRuntime } from './node.js';
import { pythonRuntime } from './python.js';

/** Every runtime the suite knows; a new language adds its descriptor here (README.md). */
export const runtimeDescriptors: readonly RuntimeDescriptor[] = [nodeRuntime, pythonRuntime, javaRuntime];
