import { useState } from 'preact/hooks';
import type { InvocationAnswer } from '../api/api-client.js';
import { rawMember } from '../json/raw-json.js';
import { hrefOf } from '../routing/hash-route.js';
import { useSession } from '../session.js';
import { ErrorMessage } from './error-message.js';
import { JsonEditor } from './json-editor.js';
import { JsonView } from './json-view.js';

interface InvocationError {
  readonly code?: string;
  readonly message?: string;
  readonly origin?: string;
}

/** Invoke a function with a JSON input; shows the output exactly as returned, or the error and its origin. */
export function InvokePanel({ name, onInvoked }: { name: string; onInvoked(): void }) {
  const { api } = useSession();
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<InvocationAnswer | undefined>(undefined);
  const [failure, setFailure] = useState<unknown>(undefined);
  return (
    <div class="invoke">
      <JsonEditor
        label="Input (JSON)"
        initial={'{"text": "the quick brown fox jumps over the lazy dog the end"}'}
        submitLabel="Invoke"
        busy={busy}
        onSubmit={async (text) => {
          setBusy(true);
          setFailure(undefined);
          try {
            setAnswer(await api.invoke(name, text));
            onInvoked();
          } catch (error) {
            setAnswer(undefined);
            setFailure(error);
          } finally {
            setBusy(false);
          }
        }}
      />
      <ErrorMessage error={failure} />
      {answer !== undefined && <InvocationResult answer={answer} />}
    </div>
  );
}

export function InvocationResult({ answer }: { answer: InvocationAnswer }) {
  let error: InvocationError | undefined;
  let status: string | undefined;
  let executionId = answer.executionId;
  try {
    const body = JSON.parse(answer.text) as {
      error?: InvocationError;
      status?: string;
      executionId?: string;
    };
    error = body.error;
    status = body.status;
    executionId ??= body.executionId;
  } catch {
    error = { message: answer.text };
  }
  const output = answer.status === 200 ? rawMember(answer.text, 'output') : undefined;
  return (
    <div
      class={`invocation-result ${answer.status === 200 ? 'ok' : 'failed'}`}
      data-testid="invocation-result"
    >
      <p>
        HTTP {answer.status}
        {status !== undefined && <> · {status}</>}
        {executionId !== undefined && (
          <>
            {' · '}
            <a class="mono" href={hrefOf({ page: 'execution', id: executionId })}>
              {executionId}
            </a>
          </>
        )}
      </p>
      {output !== undefined && <JsonView label="output" text={output} />}
      {error !== undefined && (
        <div class="error-box" role="alert">
          <strong>{error.code ?? 'ERROR'}</strong>
          <span class="origin">origin: {error.origin ?? answer.origin ?? 'unknown'}</span>
          <p>{error.message}</p>
        </div>
      )}
    </div>
  );
}
