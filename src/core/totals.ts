/**
 * Document totals — the one implementation, run live in the browser and authoritatively on the
 * server.
 *
 * Rounding rule (documented for users and auditors):
 * 1. Each line: amount = quantity × unit price, rounded half-up to the cent; the line discount
 *    (a percentage of that amount, rounded half-up, or an amount) is taken off: the line net.
 * 2. Line nets are summed per VAT rate: the base of that rate.
 * 3. A document discount is taken off the bases: a percentage of each base (rounded half-up), or
 *    an amount shared between the rates in proportion to their bases (largest remainder, so the
 *    shares add up to the amount exactly).
 * 4. VAT per rate = base × rate, rounded half-up to the cent — once per rate, never per line.
 * 5. Total net = Σ bases; total VAT = Σ VAT per rate; total with tax = net + VAT.
 * 6. A final invoice deducts the deposit invoices already issued, rate by rate (their net and
 *    their VAT as invoiced), so that deposits + final invoice = the sale, to the cent.
 */
import { mulDivRound, parseDecimal, pow10, roundHalfUp, toSafeNumber } from './decimal';

export const QUANTITY_SCALE = 3;
export const PRICE_SCALE = 4;
export const RATE_SCALE = 2;
export const PERCENT_SCALE = 2;

export type Discount = { type: 'percent'; value: string } | { type: 'amount'; value: string };

export interface ItemLine {
  kind: 'item';
  quantity: string;
  unitPrice: string;
  vatRate: string;
  discount?: Discount | null;
}
export interface TextLine {
  kind: 'section' | 'comment';
}
export type TotalsLine = ItemLine | TextLine;

export interface DepositDeduction {
  /** The deposit invoice deducted (for display and links). */
  depositId?: string;
  number?: string | null;
  /** The deposit invoice's net and VAT per rate, as issued. */
  vat: { rate: string; baseCents: number; vatCents: number }[];
}

export interface TotalsInput {
  lines: TotalsLine[];
  discount?: Discount | null;
  deposits?: DepositDeduction[];
}

export interface LineTotals {
  amountCents: number;
  discountCents: number;
  netCents: number;
}

export interface VatLine {
  rate: string;
  /** Sum of line nets at this rate, before the document discount. */
  linesNetCents: number;
  discountCents: number;
  /** The sale at this rate (after the document discount) and its VAT. */
  saleBaseCents: number;
  saleVatCents: number;
  depositBaseCents: number;
  depositVatCents: number;
  /** What this document invoices at this rate: the sale less the deposits. */
  baseCents: number;
  vatCents: number;
}

export interface Totals {
  lines: (LineTotals | null)[];
  vat: VatLine[];
  linesNetCents: number;
  discountCents: number;
  saleNetCents: number;
  saleVatCents: number;
  saleGrossCents: number;
  depositsNetCents: number;
  depositsVatCents: number;
  depositsGrossCents: number;
  netCents: number;
  vatCents: number;
  grossCents: number;
}

export class TotalsError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function parse(value: string, scale: number, field: string): bigint {
  const parsed = parseDecimal(value, scale);
  if (parsed === null) throw new TotalsError(field, `Nombre invalide ou trop de décimales (${scale} au plus).`);
  return parsed;
}

/** A VAT rate in hundredths of a percent ("5.5" → 550n). */
export function parseRate(rate: string): bigint {
  return parse(rate, RATE_SCALE, 'vatRate');
}

/** Canonical rate key: "20", "5.5", "2.1", "0.9". */
export function rateKey(rate: string): string {
  const bp = parse(rate, RATE_SCALE, 'vatRate');
  const int = bp / 100n;
  const frac = (bp % 100n).toString().padStart(2, '0').replace(/0+$/, '');
  return frac ? `${int}.${frac}` : `${int}`;
}

function discountOf(amount: bigint, discount: Discount | null | undefined, field: string): bigint {
  if (!discount) return 0n;
  if (discount.type === 'percent') {
    const pct = parse(discount.value, PERCENT_SCALE, field);
    if (pct < 0n || pct > 100n * pow10(PERCENT_SCALE)) throw new TotalsError(field, 'La remise doit être comprise entre 0 et 100 %.');
    return mulDivRound(amount, pct, 100n * pow10(PERCENT_SCALE));
  }
  const cents = parse(discount.value, 2, field);
  if (cents < 0n) throw new TotalsError(field, 'La remise ne peut pas être négative.');
  if (cents > amount) throw new TotalsError(field, 'La remise dépasse le montant.');
  return cents;
}

/** Shares `amount` between `weights` in proportion, largest remainder first, adding up exactly. */
/** The VAT of a rate's base (rule 4): base × rate, rounded half-up to the cent; the rate in hundredths of a percent. */
export function vatOfBase(baseCents: bigint, rateHundredths: bigint): bigint {
  return roundHalfUp(baseCents * rateHundredths, 2 + RATE_SCALE);
}

export function allocate(amount: bigint, weights: bigint[]): bigint[] {
  const total = weights.reduce((s, w) => s + w, 0n);
  if (total === 0n) return weights.map(() => 0n);
  const shares = weights.map((w) => (amount * w) / total);
  let left = amount - shares.reduce((s, x) => s + x, 0n);
  const order = weights
    .map((w, i) => ({ i, rem: (amount * w) % total }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of order) {
    if (left === 0n) break;
    shares[i]! += 1n;
    left -= 1n;
  }
  return shares;
}

export function computeTotals(input: TotalsInput): Totals {
  const byRate = new Map<string, { bp: bigint; net: bigint }>();
  const lines = input.lines.map((line, index) => {
    if (line.kind !== 'item') return null;
    const qty = parse(line.quantity, QUANTITY_SCALE, `lines.${index}.quantity`);
    const price = parse(line.unitPrice, PRICE_SCALE, `lines.${index}.unitPrice`);
    // Amounts are never negative on a document: a reduction is a discount, a refund a credit note.
    if (qty < 0n) throw new TotalsError(`lines.${index}.quantity`, 'La quantité ne peut pas être négative.');
    if (price < 0n) throw new TotalsError(`lines.${index}.unitPrice`, 'Le prix unitaire ne peut pas être négatif.');
    const amount = roundHalfUp(qty * price, QUANTITY_SCALE + PRICE_SCALE - 2);
    const discount = discountOf(amount, line.discount, `lines.${index}.discount`);
    const net = amount - discount;
    const key = rateKey(line.vatRate);
    const bp = parse(line.vatRate, RATE_SCALE, `lines.${index}.vatRate`);
    if (bp < 0n || bp > 100n * pow10(RATE_SCALE)) throw new TotalsError(`lines.${index}.vatRate`, 'Taux de TVA invalide.');
    const bucket = byRate.get(key) ?? { bp, net: 0n };
    bucket.net += net;
    byRate.set(key, bucket);
    return { amountCents: toSafeNumber(amount), discountCents: toSafeNumber(discount), netCents: toSafeNumber(net) };
  });

  const rates = [...byRate.entries()].sort(([, a], [, b]) => (a.bp === b.bp ? 0 : a.bp > b.bp ? -1 : 1));
  const bases = rates.map(([, r]) => r.net);
  const linesNet = bases.reduce((s, b) => s + b, 0n);
  let discounts: bigint[];
  if (!input.discount) discounts = bases.map(() => 0n);
  else if (input.discount.type === 'percent') discounts = bases.map((b) => discountOf(b, input.discount, 'discount'));
  else discounts = allocate(discountOf(linesNet, input.discount, 'discount'), bases);

  const deposits = new Map<string, { base: bigint; vat: bigint }>();
  for (const deposit of input.deposits ?? []) {
    for (const v of deposit.vat) {
      const key = rateKey(v.rate);
      const d = deposits.get(key) ?? { base: 0n, vat: 0n };
      d.base += BigInt(v.baseCents);
      d.vat += BigInt(v.vatCents);
      deposits.set(key, d);
    }
  }
  for (const key of deposits.keys()) {
    if (!byRate.has(key)) throw new TotalsError('deposits', `Un acompte porte sur le taux de TVA ${key} %, absent de cette facture.`);
  }

  const vat: VatLine[] = rates.map(([key, r], i) => {
    const saleBase = r.net - discounts[i]!;
    const saleVat = vatOfBase(saleBase, r.bp);
    const dep = deposits.get(key) ?? { base: 0n, vat: 0n };
    if (dep.base > saleBase) throw new TotalsError('deposits', `Les acomptes dépassent le montant facturé au taux de ${key} %.`);
    return {
      rate: key,
      linesNetCents: toSafeNumber(r.net),
      discountCents: toSafeNumber(discounts[i]!),
      saleBaseCents: toSafeNumber(saleBase),
      saleVatCents: toSafeNumber(saleVat),
      depositBaseCents: toSafeNumber(dep.base),
      depositVatCents: toSafeNumber(dep.vat),
      baseCents: toSafeNumber(saleBase - dep.base),
      vatCents: toSafeNumber(saleVat - dep.vat),
    };
  });

  const sum = (pick: (v: VatLine) => number) => vat.reduce((s, v) => s + pick(v), 0);
  const saleNet = sum((v) => v.saleBaseCents);
  const saleVat = sum((v) => v.saleVatCents);
  const depNet = sum((v) => v.depositBaseCents);
  const depVat = sum((v) => v.depositVatCents);
  return {
    lines,
    vat,
    linesNetCents: toSafeNumber(linesNet),
    discountCents: sum((v) => v.discountCents),
    saleNetCents: saleNet,
    saleVatCents: saleVat,
    saleGrossCents: saleNet + saleVat,
    depositsNetCents: depNet,
    depositsVatCents: depVat,
    depositsGrossCents: depNet + depVat,
    netCents: saleNet - depNet,
    vatCents: saleVat - depVat,
    grossCents: saleNet + saleVat - depNet - depVat,
  };
}
