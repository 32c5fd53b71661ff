import { ApiError } from '../api/api-error.js';

/** An API failure as a person reads it: code, message and who caused it (function, platform, client). */
export function ErrorMessage({ error }: { error: unknown }) {
  if (error === undefined) return null;
  if (error instanceof ApiError) {
    return (
      <div class="error-box" role="alert">
        <strong>{error.info.code}</strong>
        {error.origin !== undefined && <span class="origin">origin: {error.origin}</span>}
        <p>{error.info.message}</p>
      </div>
    );
  }
  return (
    <div class="error-box" role="alert">
      <p>{error instanceof Error ? error.message : String(error)}</p>
    </div>
  );
}
