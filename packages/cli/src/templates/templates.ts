import { binaryTemplate } from './binary-template.js';
import { javaTemplate } from './java-template.js';
import { nodeTemplate } from './node-template.js';
import { pythonTemplate } from './python-template.js';
import { shellTemplate } from './shell-template.js';
import type { Template } from './template.js';

/** Every template `nanofaas init --template` knows, in the order `--list` shows them. */
export const TEMPLATES: readonly Template[] = [
  nodeTemplate,
  pythonTemplate,
  javaTemplate,
  shellTemplate,
  binaryTemplate,
];

export function findTemplate(name: string): Template | undefined {
  return TEMPLATES.find((template) => template.name === name);
}
