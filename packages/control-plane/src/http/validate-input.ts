import {
  explainInvalidFunctionName,
  FunctionLimits,
  IDEMPOTENCY_KEY_PATTERN,
  type PlatformError,
  type ValidationIssue,
  type Validator,
  validationFailed,
} from '@nanofaas/contracts';
import {
  type OutboundUrlPolicy,
  OutboundUrlRefusal,
  parseOutboundUrl,
} from '../webhooks/outbound-url-policy.js';

export function validationError(issues: ValidationIssue[]): PlatformError {
  return validationFailed(issues);
}

/** The value when it passes the schema; else VALIDATION_FAILED naming every offending field. */
export function validated<T>(validator: Validator<T>, value: unknown): T {
  if (validator.check(value)) return value;
  const result = validator.validate(value);
  if (result.ok) return result.value;
  throw validationError(result.issues);
}

export function functionNameParam(name: string): string {
  const problem = explainInvalidFunctionName(name);
  if (problem !== undefined) throw validationError([{ field: 'name', rule: 'pattern', message: problem }]);
  return name;
}

function headerIssue(header: string, rule: string, message: string): PlatformError {
  return validationError([{ field: `header ${header}`, rule, message }]);
}

/** X-Timeout-Ms: how long a sync caller waits, 1 … the largest function timeout. */
export function timeoutHeader(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || parsed < 1 || parsed > FunctionLimits.maxTimeoutMs) {
    throw headerIssue(
      'X-Timeout-Ms',
      'type',
      `must be an integer number of milliseconds from 1 to ${FunctionLimits.maxTimeoutMs} (got ${JSON.stringify(value)})`,
    );
  }
  return parsed;
}

const IDEMPOTENCY_KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

export function idempotencyKeyHeader(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(value)) {
    throw headerIssue(
      'Idempotency-Key',
      'pattern',
      'must be 1 to 256 visible ASCII characters without spaces',
    );
  }
  return value;
}

/**
 * X-Callback-Url: where an async execution's final status is posted. Refused unless webhooks are on
 * and the URL passes the outbound policy (no loopback, private or link-local targets: SSRF).
 */
export async function callbackUrlHeader(
  value: string | undefined,
  policy: OutboundUrlPolicy | undefined,
): Promise<string | undefined> {
  // An empty header names no URL: the same as none (clients that always send it, empty when unused).
  if (value === undefined || value === '') return undefined;
  try {
    parseOutboundUrl(value);
  } catch (error) {
    if (error instanceof OutboundUrlRefusal) throw headerIssue('X-Callback-Url', error.rule, error.message);
    throw error;
  }
  if (policy === undefined) {
    throw headerIssue(
      'X-Callback-Url',
      'unsupported',
      'webhooks are off: the operator must set NANOFAAS_WEBHOOK_SECRET so deliveries can be signed',
    );
  }
  try {
    await policy.check(value);
  } catch (error) {
    if (error instanceof OutboundUrlRefusal) throw headerIssue('X-Callback-Url', error.rule, error.message);
    throw error;
  }
  return value;
}

/** The first value of a header (Node joins repeated custom headers with ", "). */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
