import { useState } from 'preact/hooks';

/** Pins the replica count (0 scales to zero) or hands the function back to autoscaling. */
export function ScaleControl({
  current,
  onScale,
}: {
  current: number;
  onScale(replicas: number | null): void;
}) {
  const [replicas, setReplicas] = useState(String(current));
  const value = Number(replicas);
  const valid = replicas.trim() !== '' && Number.isInteger(value) && value >= 0 && value <= 1000;
  return (
    <form
      class="scale"
      onSubmit={(event) => {
        event.preventDefault();
        if (valid) onScale(value);
      }}
    >
      <label>
        Replicas
        <input
          name="replicas"
          type="number"
          min={0}
          max={1000}
          value={replicas}
          onInput={(event) => setReplicas((event.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit" disabled={!valid}>
        Scale
      </button>
      <button type="button" onClick={() => onScale(null)}>
        Autoscale
      </button>
    </form>
  );
}
