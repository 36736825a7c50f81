/**
 * Exact decimal arithmetic on scaled bigints: a value with `scale` decimals is stored as
 * value × 10^scale. Money never goes through binary floating point.
 */

export function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Parses "1234.56" / "1234,56" / "-3" into a bigint scaled by 10^scale; null if malformed or too precise. */
export function parseDecimal(input: string, scale: number): bigint | null {
  const m = /^(-?)(\d{1,15})(?:[.,](\d+))?$/.exec(input.trim());
  if (!m) return null;
  const decimals = m[3] ?? '';
  if (decimals.length > scale) return null;
  const value = BigInt(m[2]!) * pow10(scale) + BigInt(decimals.padEnd(scale, '0') || '0');
  return m[1] === '-' ? -value : value;
}

/** The number of decimals written in a decimal string (for "at most N decimals" checks). */
export function decimalPlaces(input: string): number {
  const m = /[.,](\d+)$/.exec(input.trim());
  return m ? m[1]!.length : 0;
}

/** Canonical text of a scaled value: "12.5" for 12.5000, "3" for 3.000. */
export function formatDecimal(value: bigint, scale: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const int = abs / pow10(scale);
  const frac = (abs % pow10(scale)).toString().padStart(scale, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** Divides by 10^places, rounding half away from zero ("arrondi commercial"). */
export function roundHalfUp(value: bigint, places: number): bigint {
  if (places <= 0) return value * pow10(-places);
  const divisor = pow10(places);
  const half = divisor / 2n;
  return value >= 0n ? (value + half) / divisor : -((-value + half) / divisor);
}

/** a × b / c, rounded half up, for non-negative a, b and positive c. */
export function mulDivRound(a: bigint, b: bigint, c: bigint): bigint {
  const product = a * b;
  const q = product / c;
  const r = product % c;
  return r * 2n >= c ? q + 1n : q;
}

export function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError('amount out of range');
  return Number(value);
}
