import { Type } from '@sinclair/typebox';

/** DNS-1123 label: Kubernetes object names are derived from it (`fn-<name>`, Job suffixes). */
export const FUNCTION_NAME_PATTERN = '^[a-z]([a-z0-9-]*[a-z0-9])?$';
/** 63 (DNS label) minus room for the `fn-` prefix and Job suffixes. */
export const MAX_FUNCTION_NAME_LENGTH = 52;

const FUNCTION_NAME_RULE =
  `a lowercase DNS-1123 label of at most ${MAX_FUNCTION_NAME_LENGTH} characters: ` +
  'starts with a letter, then letters, digits or "-", and does not end with "-"';

export const FunctionNameSchema = Type.String({
  minLength: 1,
  maxLength: MAX_FUNCTION_NAME_LENGTH,
  pattern: FUNCTION_NAME_PATTERN,
  description: `Function name: ${FUNCTION_NAME_RULE}.`,
  errorMessage: `must be ${FUNCTION_NAME_RULE}`,
});

const functionNameRegExp = new RegExp(FUNCTION_NAME_PATTERN);

/** Returns why `name` is not a valid function name, or undefined when it is. */
export function explainInvalidFunctionName(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_FUNCTION_NAME_LENGTH) {
    return `is ${name.length} characters long; the limit is ${MAX_FUNCTION_NAME_LENGTH}`;
  }
  if (!functionNameRegExp.test(name)) return `must be ${FUNCTION_NAME_RULE}`;
  return undefined;
}
