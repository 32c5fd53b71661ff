import { prettyJson } from '../json/raw-json.js';

/** JSON text pretty-printed with every literal as written; shown as is when it is not JSON. */
export function JsonView({ text, label }: { text: string | undefined; label: string }) {
  if (text === undefined) return null;
  let shown = text;
  try {
    shown = prettyJson(text);
  } catch {
    // Not JSON (should not happen for platform answers): show the bytes unchanged.
  }
  return (
    <pre class="json" data-label={label}>
      {shown}
    </pre>
  );
}
