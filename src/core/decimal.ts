/**
 * Exact decimal arithmetic on scaled bigints: a value with `scale` decimals is stored as
 * value × 10^scale. Money never goes through binary floating point.
 */

export function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/**
 * The one reading of a decimal as people type it, for every field that takes one (quantities,
 * prices, rates, discounts, percentages): a comma or a point before the decimals, spaces around,
 * and optionally a space (or a no-break space) between groups of three digits — "5,5", "5.50",
 * " 5,5 ", "1 234,50". Returns its sign, integer digits and decimals, or null when it is not one.
 */
export function readDecimal(input: string): { negative: boolean; integer: string; decimals: string } | null {
  const m = /^(-?)(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,](\d+))?$/.exec(input.trim());
  if (!m) return null;
  return { negative: m[1] === '-', integer: m[2]!.replace(/\D/g, ''), decimals: m[3] ?? '' };
}

/** Parses a decimal as readDecimal reads it into a bigint scaled by 10^scale; null if malformed, too precise or too large. */
export function parseDecimal(input: string, scale: number): bigint | null {
  const read = readDecimal(input);
  if (!read || read.integer.length > 15 || read.decimals.length > scale) return null;
  const value = BigInt(read.integer) * pow10(scale) + BigInt(read.decimals.padEnd(scale, '0') || '0');
  return read.negative ? -value : value;
}

/** The number of decimals written in a decimal string (for "at most N decimals" checks). */
export function decimalPlaces(input: string): number {
  return readDecimal(input)?.decimals.length ?? 0;
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
