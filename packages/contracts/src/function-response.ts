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
    isolation: Type.Optional(
      Type.Union([Type.Literal('namespaces'), Type.Literal('uid'), Type.Literal('none')], {
        description:
          "How the local backend isolates this function's processes from the platform and from other functions: " +
          '"namespaces" (own uid when the control plane is root, own PID and mount namespaces), "uid" (own uid only), ' +
          '"none" (the control plane\'s user; docs/security.md).',
      }),
    ),
  },
  { $id: 'FunctionStatus', additionalProperties: true },
);
export type FunctionStatus = Static<typeof FunctionStatusSchema>;
/** How a function's processes are kept apart from the platform and each other. */
export type FunctionIsolation = NonNullable<FunctionStatus['isolation']>;

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
