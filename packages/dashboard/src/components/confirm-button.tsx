import { useState } from 'preact/hooks';

export interface ConfirmButtonProps {
  readonly label: string;
  /** The question asked before acting, e.g. "Delete word-stats?". */
  readonly question: string;
  readonly danger?: boolean;
  onConfirm(): void;
}

/** A button that asks for confirmation in place (no window.confirm: it cannot be styled or tested). */
export function ConfirmButton({ label, question, danger, onConfirm }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class={danger ? 'danger' : undefined} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <fieldset class="confirm" aria-label={question}>
      <span>{question}</span>
      <button
        type="button"
        class={danger ? 'danger' : undefined}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Yes, {label.toLowerCase()}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </fieldset>
  );
}
