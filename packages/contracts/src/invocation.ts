import { type Static, Type } from '@sinclair/typebox';
import { ErrorInfoSchema } from './error-info.js';
import { ExecutionStateSchema } from './execution.js';

export const MetadataSchema = Type.Record(
  Type.String({ minLength: 1, maxLength: 256 }),
  Type.String({ maxLength: 8192 }),
  {
    maxProperties: 64,
    description: 'Free-form string key/value pairs handed to the function.',
    errorMessage: 'must be an object whose values are strings',
  },
);

/** Body of :invoke and :enqueue, and of the watchdog's and runtimes' POST /invoke. */
export const InvocationRequestSchema = Type.Object(
  {
    input: Type.Unknown({ description: 'Any JSON value; the function receives it as is.' }),
    metadata: Type.Optional(MetadataSchema),
  },
  { $id: 'InvocationRequest', additionalProperties: false },
);
export type InvocationRequest = Static<typeof InvocationRequestSchema>;

export const InvocationResponseSchema = Type.Object(
  {
    executionId: Type.String(),
    status: ExecutionStateSchema,
    output: Type.Optional(Type.Unknown()),
    error: Type.Optional(ErrorInfoSchema),
    coldStart: Type.Optional(Type.Boolean()),
  },
  { $id: 'InvocationResponse', additionalProperties: false },
);
export type InvocationResponse = Static<typeof InvocationResponseSchema>;

export const EnqueueResponseSchema = Type.Object(
  {
    executionId: Type.String(),
    status: Type.Literal('queued'),
  },
  { $id: 'EnqueueResponse', additionalProperties: false },
);
export type EnqueueResponse = Static<typeof EnqueueResponseSchema>;
