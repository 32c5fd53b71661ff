/** Multipliers of the Kubernetes quantity suffixes (QUANTITY_PATTERN). */
const QUANTITY_UNITS: Readonly<Record<string, number>> = Object.freeze({
  '': 1,
  m: 1 / 1000,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
});

/** A Kubernetes resource quantity in base units ("128Mi" → 134217728, "250m" → 0.25); undefined when malformed. */
export function parseQuantity(quantity: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(quantity);
  const unit = match?.[2] ?? '';
  if (match === null || !Object.hasOwn(QUANTITY_UNITS, unit)) return undefined;
  return Number(match[1]) * (QUANTITY_UNITS[unit] ?? 1);
}
