import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { testServerOf } from './server';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: LightMyRequestResponse['headers'];
  raw: LightMyRequestResponse;
}

/**
 * A browser-like API client over `app.inject`: keeps cookies, fetches the CSRF token, and sends
 * it with every mutation (unless told not to).
 */
export class ApiClient {
  private cookies = new Map<string, string>();
  /** Shared by concurrent mutations, as in the web app: one secret, one token. */
  private csrf: Promise<string> | null = null;

  constructor(
    private readonly app: FastifyInstance,
    private readonly defaults: { ip?: string; headers?: Record<string, string> } = {},
  ) {}

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }

  private remember(res: LightMyRequestResponse): void {
    for (const c of res.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      const expired = (c.expires && c.expires.getTime() < Date.now()) || c.maxAge === 0 || c.value === '';
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
      // The CSRF secret is dropped at login, logout and sign-up: the token in hand is spent, as in the web app.
      if (c.name === 'ardoise_csrf' && expired) this.csrf = null;
    }
  }

  token(): Promise<string> {
    this.csrf ??= this.request('GET', '/api/csrf').then((res) => res.body.token as string);
    return this.csrf;
  }

  async request<T = any>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    opts: { csrf?: boolean; headers?: Record<string, string>; raw?: Buffer | string } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...this.defaults.headers, ...opts.headers };
    if (method !== 'GET' && opts.csrf !== false) headers['x-csrf-token'] = await this.token();
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader;
    let payload: string | Buffer | undefined;
    if (opts.raw !== undefined) payload = opts.raw;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await this.app.inject({ method, url, headers, payload, remoteAddress: this.defaults.ip ?? '127.0.0.1' });
    this.remember(res);
    const type = String(res.headers['content-type'] ?? '');
    return { status: res.statusCode, body: type.includes('json') && res.body ? JSON.parse(res.body) : res.body, headers: res.headers, raw: res };
  }

  get<T = any>(url: string, opts?: { headers?: Record<string, string> }) {
    return this.request<T>('GET', url, undefined, opts);
  }
  post<T = any>(url: string, body?: unknown, opts?: { csrf?: boolean; headers?: Record<string, string> }) {
    return this.request<T>('POST', url, body, opts);
  }
  patch<T = any>(url: string, body?: unknown, opts?: { csrf?: boolean; headers?: Record<string, string> }) {
    return this.request<T>('PATCH', url, body, opts);
  }
  put<T = any>(url: string, body?: unknown, opts?: { csrf?: boolean; headers?: Record<string, string>; raw?: Buffer | string }) {
    return this.request<T>('PUT', url, body, opts);
  }
  delete<T = any>(url: string, opts?: { csrf?: boolean; headers?: Record<string, string> }) {
    return this.request<T>('DELETE', url, undefined, opts);
  }
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}.${Date.now().toString(36)}${(counter++).toString(36)}@example.com`;
}

export const STRONG_PASSWORD = 'ardoise-Test-pass-2026';

/**
 * The link of the newest e-mail to `to` that contains `linkPart`, from the local outbox, once the
 * server's background tasks (which send the account e-mails) are done. Null when there is none.
 */
export async function outboxLink(app: FastifyInstance, to: string, linkPart: string): Promise<string | null> {
  const server = testServerOf(app);
  await server.ctx.tasks.idle();
  for (const message of await server.ctx.mailer.listOutbox()) {
    if (message.to !== to) continue;
    const link = message.links.find((l) => l.includes(linkPart));
    if (link) return link;
  }
  return null;
}

export interface SignUpOptions {
  name?: string;
  email?: string;
  dossierName?: string;
  password?: string;
  ip?: string;
  /** Where the confirmation link arrives; the local outbox by default (give it when SMTP is configured). */
  confirmationLink?: (email: string) => Promise<string | null>;
}

/**
 * Signs up a new user (and their first dossier) as a person would: the sign-up form, then the
 * link of the confirmation e-mail. Returns the logged-in client.
 */
export async function signUp(app: FastifyInstance, opts: SignUpOptions = {}) {
  const client = new ApiClient(app, { ip: opts.ip });
  const email = opts.email ?? uniqueEmail();
  const res = await client.post('/api/auth/signup', { name: opts.name ?? 'Camille Durand', email, password: opts.password ?? STRONG_PASSWORD, dossierName: opts.dossierName ?? 'Atelier Durand' });
  if (res.status !== 202) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  const link = await (opts.confirmationLink ?? ((to: string) => outboxLink(app, to, '/signup/confirm?token=')))(email);
  if (!link) throw new Error(`no sign-up confirmation e-mail to ${email}`);
  const confirmed = await client.post('/api/auth/signup/confirm', { token: new URL(link).searchParams.get('token'), password: opts.password ?? STRONG_PASSWORD });
  if (confirmed.status !== 201) throw new Error(`sign-up confirmation failed: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  return { client, email, user: confirmed.body.user as { id: string; name: string; email: string }, dossierId: confirmed.body.dossierId as string };
}
