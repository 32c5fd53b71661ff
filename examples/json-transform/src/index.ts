import { defineFunction, FunctionError } from '@nanofaas/runtime';
import { applyOperations } from './apply-operations.js';
import { isJsonObject, type JsonObject } from './field-path.js';
import { parseOperations } from './operations.js';

export type { Operation } from './operations.js';

/**
 * json-transform: applies declared operations to a JSON document and returns the new document.
 *
 *     {"document": {"user": {"name": "ada"}, "id": 7},
 *      "operations": [{"op": "rename", "from": "user.name", "to": "name"},
 *                     {"op": "uppercase", "fields": ["name"]},
 *                     {"op": "pick", "fields": ["id", "name"]}]}
 *     → {"id": 7, "name": "ADA"}
 *
 * Errors (function errors, status 500): INVALID_INPUT, INVALID_OPERATION (the declaration is wrong),
 * FIELD_NOT_FOUND, FIELD_EXISTS, NOT_A_STRING, NOT_AN_OBJECT (the document does not fit it).
 */
export default defineFunction<unknown, JsonObject>(({ input }) => {
  if (!isJsonObject(input)) {
    throw new FunctionError(
      'INVALID_INPUT',
      'input must be an object {"document": {...}, "operations": [...]}',
    );
  }
  const { document, operations, ...unknown } = input;
  const extra = Object.keys(unknown)[0];
  if (extra !== undefined) {
    throw new FunctionError(
      'INVALID_INPUT',
      `field "${extra}": is not a known field (expected "document" and "operations")`,
    );
  }
  if (!isJsonObject(document)) {
    throw new FunctionError('INVALID_INPUT', 'field "document": must be a JSON object');
  }
  return applyOperations(document, parseOperations(operations));
});
