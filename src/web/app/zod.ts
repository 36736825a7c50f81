/**
 * Zod in the browser never evaluates strings. Its JIT builds object parsers with `new Function`,
 * and probes for it when a schema is built; our Content-Security-Policy forbids eval, so the probe
 * is reported as a CSP violation (seen by the WebKit journeys; Chromium fires it too, silently).
 * Imported first by main.tsx, before any module builds a schema. The server keeps the JIT.
 */
import { z } from 'zod';

z.config({ jitless: true });
