import { type Static, Type } from '@sinclair/typebox';
import { ErrorInfoSchema } from './error-info.js';
import { FunctionNameSchema } from './function-name.js';

export const EXECUTION_STATES = ['queued', 'running', 'success', 'error', 'timeout'] as const;
/** queued → running → success | error | timeout (DESIGN.md §4). */
export type ExecutionState = (typeof EXECUTION_STATES)[number];
export const TERMINAL_EXECUTION_STATES: readonly ExecutionState[] = ['success', 'error', 'timeout'];

export function isTerminalState(state: ExecutionState): boolean {
  return state === 'success' || state === 'error' || state === 'timeout';
}

export const ExecutionStateSchema = Type.Union(
  [
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('success'),
    Type.Literal('error'),
    Type.Literal('timeout'),
  ],
  { $id: 'ExecutionState', errorMessage: `must be one of ${EXECUTION_STATES.join(', ')}` },
);

const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 timestamp.' });

export const ExecutionStatusSchema = Type.Object(
  {
    executionId: Type.String(),
    functionName: FunctionNameSchema,
    status: ExecutionStateSchema,
    attempt: Type.Integer({ minimum: 1, description: '1 for the first attempt; retries add one.' }),
    createdAt: Timestamp,
    startedAt: Type.Optional(Timestamp),
    finishedAt: Type.Optional(Timestamp),
    durationMs: Type.Optional(Type.Number({ minimum: 0 })),
    input: Type.Optional(
      Type.Unknown({
        description:
          "The invocation's input as the caller sent it (GET /v1/executions/{id} with the admin role only; lists leave it out).",
      }),
    ),
    output: Type.Optional(Type.Unknown()),
    error: Type.Optional(ErrorInfoSchema),
    coldStart: Type.Optional(
      Type.Boolean({ description: 'true when the run waited for an instance or a process to start.' }),
    ),
    initDurationMs: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          "The runtime's own start-up time (process start → ready), as it reported it in " +
          'X-Init-Duration-Ms on its first invocation; only on that cold start.',
      }),
    ),
    traceId: Type.Optional(Type.String()),
  },
  { $id: 'ExecutionStatus', additionalProperties: false },
);
export type ExecutionStatus = Static<typeof ExecutionStatusSchema>;

/** `after` of GET /v1/executions: the `next` of the previous page, `<createdAt ms>~<execution id>`. */
export const EXECUTION_CURSOR_PATTERN = '^\\d{1,15}~[^~]{1,200}$';

export const ExecutionListSchema = Type.Object(
  {
    items: Type.Array(ExecutionStatusSchema, { description: 'Newest first.' }),
    next: Type.Optional(
      Type.String({
        description: 'Present when more may follow: pass it as `after` to read the next page.',
      }),
    ),
  },
  { $id: 'ExecutionList', additionalProperties: false },
);
export type ExecutionList = Static<typeof ExecutionListSchema>;
