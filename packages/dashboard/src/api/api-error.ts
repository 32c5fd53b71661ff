import type { ErrorInfo } from '@nanofaas/contracts';

/** A non-2xx answer of the control plane, with its error body and origin (X-Error-Origin). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly info: ErrorInfo,
    readonly origin: string | undefined,
  ) {
    super(`${info.code}: ${info.message}`);
    this.name = 'ApiError';
  }

  /** 401: the key is missing, wrong or was revoked. */
  get unauthorized(): boolean {
    return this.status === 401;
  }
}

/** The ApiError of a failed response (the platform's error body, or what can be told without one). */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  let info: ErrorInfo = {
    code: `HTTP_${response.status}`,
    message: text.slice(0, 500) || response.statusText,
  };
  try {
    const body = JSON.parse(text) as { error?: ErrorInfo };
    if (body.error && typeof body.error.code === 'string') info = body.error;
  } catch {
    // Not the platform's error body (a proxy in between): keep the text.
  }
  return new ApiError(response.status, info, response.headers.get('x-error-origin') ?? info.origin);
}
