import { type Static, Type } from '@sinclair/typebox';
import { EXECUTION_MODES, FunctionSpecSchema } from './function-spec.js';

export const FUNCTION_STATES = ['pending', 'ready', 'scaled-to-zero', 'degraded', 'failed'] as const;
/** What the backend reports about a function's instances. */
export type FunctionState = (typeof FUNCTION_STATES)[number];

export const FunctionStatusSchema = Type.Object(
  {
    state: Type.Union([
      Type.Literal('pending'),
      Type.Literal('ready'),
      Type.Literal('scaled-to-zero'),
      Type.Literal('degraded'),
      Type.Literal('failed'),
    ]),
    replicas: Type.Integer({ minimum: 0, description: 'Replicas wanted now.' }),
    readyReplicas: Type.Integer({ minimum: 0 }),
    message: Type.Optional(Type.String()),
  },
  { $id: 'FunctionStatus', additionalProperties: true },
);
export type FunctionStatus = Static<typeof FunctionStatusSchema>;

/** A registered function: its spec with defaults applied, plus bookkeeping and live status. */
export const FunctionResponseSchema = Type.Composite(
  [
    FunctionSpecSchema,
    Type.Object({
      revision: Type.Integer({ minimum: 1, description: 'Increments on every update.' }),
      effectiveExecutionMode: Type.Union(
        EXECUTION_MODES.map((mode) => Type.Literal(mode)),
        { description: 'The mode the function runs in (the original nanofaas reports it under this name).' },
      ),
      createdAt: Type.String({ format: 'date-time' }),
      updatedAt: Type.String({ format: 'date-time' }),
      status: Type.Optional(FunctionStatusSchema),
    }),
  ],
  { $id: 'FunctionResponse', additionalProperties: false },
);
export type FunctionResponse = Static<typeof FunctionResponseSchema>;

export const FunctionListSchema = Type.Object(
  { items: Type.Array(FunctionResponseSchema) },
  { $id: 'FunctionList', additionalProperties: false },
);
export type FunctionList = Static<typeof FunctionListSchema>;
