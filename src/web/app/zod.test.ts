/**
 * The web app's CSP has no 'unsafe-eval': the schemas the browser builds and runs must never
 * evaluate a string (zod's JIT and its probe for it would be refused, and reported as violations).
 */
import { expect, it } from 'vitest';

it('builds and runs the shared schemas without evaluating strings', async () => {
  const evaluated: unknown[][] = [];
  const RealFunction = globalThis.Function;
  const refuse = (args: unknown[]) => {
    evaluated.push(args);
    throw new EvalError('Refused to evaluate a string as JavaScript (test: no unsafe-eval)');
  };
  globalThis.Function = new Proxy(RealFunction, { apply: (_target, _this, args) => refuse(args), construct: (_target, args) => refuse(args) });
  try {
    // As in main.tsx: the web's zod set-up first, then the modules that build schemas.
    await import('./zod');
    const { dossierSettingsUpdateSchema } = await import('../../core/dossier');
    const valid = dossierSettingsUpdateSchema.safeParse({ legalName: 'Atelier Martin', siren: '732829320' });
    const invalid = dossierSettingsUpdateSchema.safeParse({ legalName: 42 });
    expect(valid.success).toBe(true);
    expect(invalid.success).toBe(false);
  } finally {
    globalThis.Function = RealFunction;
  }
  expect(evaluated).toEqual([]);
});
