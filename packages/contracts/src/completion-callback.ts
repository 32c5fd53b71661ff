import { type Static, Type } from '@sinclair/typebox';
import { ErrorInfoSchema } from './error-info.js';

/** Body of POST /v1/internal/executions/{id}:complete, sent by one-shot runs (spec: CallbackClient). */
export const CompletionCallbackSchema = Type.Object(
  {
    success: Type.Boolean(),
    output: Type.Optional(Type.Unknown()),
    error: Type.Optional(ErrorInfoSchema),
  },
  { $id: 'CompletionCallback', additionalProperties: false },
);
export type CompletionCallback = Static<typeof CompletionCallbackSchema>;
