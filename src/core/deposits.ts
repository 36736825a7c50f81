/**
 * Deposit invoices (factures d'acompte) made from an accepted quote: what each of their lines
 * says and amounts to. Pure, so that the conversion dialog shows the amount before the server
 * makes the draft.
 *
 * A deposit is a share of the sale at each VAT rate of the quote (its base after the document
 * discount), so that the final invoice can deduct it rate by rate (core/totals.ts, rule 6):
 * - a percentage: each rate's base × the percentage, rounded half-up;
 * - an amount with tax: the bases whose total with tax is that amount to the cent. VAT is
 *   rounded once per rate, so not every amount can be reached (at 20 %, 27,77 € + 5,55 € = 33,32 €
 *   and 27,78 € + 5,56 € = 33,34 €: 33,33 € cannot); the nearest one not above is taken, and
 *   `depositForAmount` says which before anything is made.
 * Each rate's share is then split between goods and services in proportion to the quote's lines,
 * so the deposit states the operation's nature as the quote does (goods, services or both) and
 * books goods and services to their accounts; each line names the quote and what it sells.
 */
import { formatDateFr } from './dates';
import { formatDecimal, mulDivRound } from './decimal';
import type { LineInput } from './document-schema';
import type { Nature } from './documents';
import { formatEuros } from './money';
import { allocate, computeTotals, parseRate, vatOfBase, type Totals } from './totals';

/** How much of the quote the deposit is: hundredths of a percent (3000 = 30 %), or an amount with tax in cents. */
export type DepositShare = { percentHundredths: bigint } | { amountCents: number };

export interface DepositAmount {
  /** The bases per VAT rate of the quote, in the quote's order of rates. */
  vat: { rate: string; baseCents: number; vatCents: number }[];
  grossCents: number;
}

/**
 * The bases with tax closest to an amount with tax: exactly the amount whenever some bases give
 * it (searched around the split in proportion to each rate's total), otherwise the nearest total,
 * not above the amount when two are as near.
 */
export function depositForAmount(quote: Pick<Totals, 'vat'>, amountCents: number): DepositAmount {
  const rates = quote.vat.map((v) => ({ rate: v.rate, bp: parseRate(v.rate), saleBase: BigInt(v.saleBaseCents) }));
  const gross = (i: number, base: bigint) => base + vatOfBase(base, rates[i]!.bp);
  const amount = BigInt(amountCents);
  const targets = allocate(
    amount,
    rates.map((r, i) => gross(i, r.saleBase)),
  );
  const clamp = (i: number, base: bigint) => (base < 0n ? 0n : base > rates[i]!.saleBase ? rates[i]!.saleBase : base);
  const start = rates.map((r, i) => clamp(i, mulDivRound(targets[i]!, 10_000n, 10_000n + r.bp)));
  // One or two cents of base either way on each rate reach every reachable amount near the split
  // (a rate's total with tax skips at most one cent between two consecutive bases).
  const radius = rates.length <= 4 ? 2 : rates.length <= 8 ? 1 : 0;
  let best = { bases: start, total: start.reduce((s, b, i) => s + gross(i, b), 0n), moved: 0 };
  const better = (a: typeof best, b: typeof best) => {
    const da = a.total > amount ? a.total - amount : amount - a.total;
    const db = b.total > amount ? b.total - amount : amount - b.total;
    if (da !== db) return da < db;
    if (a.total <= amount !== b.total <= amount) return a.total <= amount;
    return a.moved < b.moved;
  };
  const visit = (i: number, bases: bigint[], moved: number) => {
    if (i === rates.length) {
      const candidate = { bases, total: bases.reduce((s, b, j) => s + gross(j, b), 0n), moved };
      if (better(candidate, best)) best = candidate;
      return;
    }
    for (let d = -radius; d <= radius; d++) {
      const base = start[i]! + BigInt(d);
      if (base < 0n || base > rates[i]!.saleBase) continue;
      visit(i + 1, [...bases, base], moved + Math.abs(d));
    }
  };
  visit(0, [], 0);
  return {
    vat: rates.map((r, i) => ({ rate: r.rate, baseCents: Number(best.bases[i]!), vatCents: Number(vatOfBase(best.bases[i]!, r.bp)) })),
    grossCents: Number(best.total),
  };
}

export interface QuoteForDeposit {
  number: string;
  issueDate: string;
  totals: Pick<Totals, 'vat'>;
  lines: LineInput[];
}

const LIST_MAX = 200;

/** What the lines sell, for the deposit's wording: their designations, shortened to LIST_MAX characters. */
function itemsSold(designations: string[]): string {
  const list = [...new Set(designations)].join(', ');
  if (list.length <= LIST_MAX) return list;
  const cut = list.slice(0, LIST_MAX);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), LIST_MAX / 2)).replace(/[,\s]+$/, '')}…`;
}

/** The deposit invoice's lines: one per VAT rate and nature of the quote, each naming the quote and what it sells. */
export function depositLines(quote: QuoteForDeposit, share: DepositShare): { lines: LineInput[]; grossCents: number } {
  const bases =
    'percentHundredths' in share
      ? quote.totals.vat.map((v) => mulDivRound(BigInt(v.saleBaseCents), share.percentHundredths, 10_000n))
      : depositForAmount(quote.totals, share.amountCents).vat.map((v) => BigInt(v.baseCents));
  const grossCents = quote.totals.vat.reduce((s, v, i) => s + Number(bases[i]! + vatOfBase(bases[i]!, parseRate(v.rate))), 0);
  const of = `sur le devis ${quote.number} du ${formatDateFr(quote.issueDate)}`;
  const wording =
    'percentHundredths' in share ? `Acompte de ${formatDecimal(share.percentHundredths, 2).replace('.', ',')} % ${of}` : `Acompte de ${formatEuros(grossCents)} TTC ${of}`;

  // The quote's line nets by rate and nature, and what each sells.
  const nets = computeTotals({ lines: quote.lines }).lines;
  const lines: LineInput[] = [];
  quote.totals.vat.forEach((v, i) => {
    const parts = new Map<Nature, { net: bigint; designations: string[] }>();
    quote.lines.forEach((line, j) => {
      if (line.kind !== 'item' || parseRate(line.vatRate) !== parseRate(v.rate)) return;
      const part = parts.get(line.nature) ?? { net: 0n, designations: [] };
      part.net += BigInt(nets[j]?.netCents ?? 0);
      part.designations.push(line.designation);
      parts.set(line.nature, part);
    });
    const natures = [...parts.entries()].filter(([, p]) => p.net > 0n);
    if (natures.length === 0) natures.push([...parts.entries()][0] ?? ['service', { net: 1n, designations: [] }]);
    const amounts = allocate(
      bases[i]!,
      natures.map(([, p]) => (p.net > 0n ? p.net : 1n)),
    );
    natures.forEach(([nature, part], k) => {
      const sold = itemsSold(part.designations);
      lines.push({
        kind: 'item',
        designation: sold ? `${wording} : ${sold}` : wording,
        quantity: '1',
        unitPrice: formatDecimal(amounts[k]!, 2),
        vatRate: v.rate,
        nature,
      });
    });
  });
  return { lines, grossCents };
}
