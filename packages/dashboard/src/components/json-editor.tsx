import { useState } from 'preact/hooks';

export interface JsonEditorProps {
  readonly label: string;
  readonly initial: string;
  readonly submitLabel: string;
  readonly busy: boolean;
  /** Called with the text as typed, once it is valid JSON. */
  onSubmit(text: string): void;
}

/** The problem with `text` as JSON, or undefined when it is valid. */
export function jsonProblem(text: string): string | undefined {
  if (text.trim() === '') return 'enter a JSON value, e.g. {"text": "hello"} or "hello"';
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A textarea for a JSON value, validated as you type; the button is off while it is not valid JSON. */
export function JsonEditor({ label, initial, submitLabel, busy, onSubmit }: JsonEditorProps) {
  const [text, setText] = useState(initial);
  const problem = jsonProblem(text);
  return (
    <form
      class="json-editor"
      onSubmit={(event) => {
        event.preventDefault();
        if (problem === undefined && !busy) onSubmit(text);
      }}
    >
      <label>
        {label}
        <textarea
          name="input"
          rows={6}
          spellcheck={false}
          value={text}
          aria-invalid={problem !== undefined}
          onInput={(event) => setText((event.target as HTMLTextAreaElement).value)}
        />
      </label>
      {problem !== undefined && (
        <p class="field-error" role="alert">
          Not valid JSON: {problem}
        </p>
      )}
      <button type="submit" disabled={problem !== undefined || busy}>
        {busy ? 'Running…' : submitLabel}
      </button>
    </form>
  );
}
