import { type Static, Type } from '@sinclair/typebox';

export const ERROR_ORIGINS = ['client', 'platform', 'function'] as const;
/** Who caused a failure: the caller's request, the platform, or the function's own code. */
export type ErrorOrigin = (typeof ERROR_ORIGINS)[number];

export const ValidationIssueSchema = Type.Object(
  {
    field: Type.String({ description: 'Dotted path of the offending field ("" for the whole body).' }),
    rule: Type.String({ description: 'The rule that failed, e.g. "pattern", "maximum", "required".' }),
    message: Type.String(),
  },
  { $id: 'ValidationIssue', additionalProperties: false },
);
export type ValidationIssue = Static<typeof ValidationIssueSchema>;

export const ErrorInfoSchema = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 128, description: 'Stable error code (docs/errors.md).' }),
    message: Type.String({ maxLength: 65536 }),
    origin: Type.Optional(
      Type.Union([Type.Literal('client'), Type.Literal('platform'), Type.Literal('function')]),
    ),
    retryable: Type.Optional(Type.Boolean()),
    issues: Type.Optional(Type.Array(ValidationIssueSchema)),
  },
  { $id: 'ErrorInfo', additionalProperties: true },
);
export type ErrorInfo = Static<typeof ErrorInfoSchema>;

/** Body of every error response of the platform's HTTP APIs. */
export const ErrorBodySchema = Type.Object({ error: ErrorInfoSchema }, { $id: 'ErrorBody' });
export type ErrorBody = Static<typeof ErrorBodySchema>;
