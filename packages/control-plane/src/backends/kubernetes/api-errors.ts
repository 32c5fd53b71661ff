/**
 * Errors of Kubernetes API calls, readable without loading the client (the backend loads
 * @kubernetes/client-node only when it starts).
 */

/** The HTTP status of a failed API call, if it was one. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The API server's own message of a failed call ("deployments.apps is forbidden: …"), else the error's. */
export function describeApiError(error: unknown): string {
  const status = statusOf(error);
  const body = (error as { body?: unknown } | null)?.body;
  let message: string | undefined;
  if (typeof body === 'string') {
    try {
      message = (JSON.parse(body) as { message?: string }).message;
    } catch {
      message = body.slice(0, 500);
    }
  } else if (body && typeof body === 'object') {
    message = (body as { message?: string }).message;
  }
  message ??= error instanceof Error ? error.message : String(error);
  return status === undefined ? message : `${status}: ${message}`;
}
