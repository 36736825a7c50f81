/**
 * The one way the web app talks to the server: JSON over fetch, the session cookie, the CSRF
 * header on every mutation, `Accept-Language`, and errors turned into `ApiError`.
 */
import type { ErrorCode, Locale } from '../../core/errors';

export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | 'network_error';
  readonly details: unknown;
  /** Field path (dotted, e.g. `address.postalCode`) → message, for `validation_failed`. */
  readonly fields: Record<string, string>;

  constructor(status: number, code: ErrorCode | 'network_error', message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.fields = fieldsOf(details);
  }
}

function fieldsOf(details: unknown): Record<string, string> {
  if (typeof details !== 'object' || details === null || !('fields' in details)) return {};
  const fields = (details as { fields: unknown }).fields;
  if (typeof fields !== 'object' || fields === null) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

let locale: Locale = 'fr';

/** Called by the i18n provider so every request says which language the user reads. */
export function setApiLocale(next: Locale): void {
  locale = next;
}

let csrfToken: Promise<string> | null = null;

/** Forget the CSRF token: the next mutation fetches a fresh one (after login, logout, sign-up). */
export function resetCsrfToken(): void {
  csrfToken = null;
}

function csrf(): Promise<string> {
  if (!csrfToken) {
    const pending = request<{ token: string }>('GET', '/api/csrf').then((r) => r.token);
    pending.catch(() => {
      if (csrfToken === pending) csrfToken = null;
    });
    csrfToken = pending;
  }
  return csrfToken;
}

export interface RequestOptions {
  /** A JSON body, serialised here. */
  json?: unknown;
  /** A raw body (file upload), sent with `contentType`. */
  raw?: Blob;
  contentType?: string;
  signal?: AbortSignal;
}

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

async function request<T>(method: string, path: string, options: RequestOptions = {}, retried = false): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': locale };
  let body: BodyInit | undefined;
  if (options.raw) {
    body = options.raw;
    headers['Content-Type'] = options.contentType ?? (options.raw.type || 'application/octet-stream');
  } else if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['Content-Type'] = 'application/json';
  }
  if (MUTATIONS.has(method)) headers['x-csrf-token'] = await csrf();

  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, credentials: 'same-origin', signal: options.signal });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'network_error', locale === 'en' ? 'The server cannot be reached.' : 'Le serveur est injoignable.');
  }

  if (response.ok) {
    if (response.status === 204) return undefined as T;
    // A 202 may carry what was accepted (a message stored for sending) or nothing (sign-up).
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const error = await toApiError(response);
  if (error.code === 'csrf_invalid' && !retried) {
    resetCsrfToken();
    return request<T>(method, path, options, true);
  }
  throw error;
}

async function toApiError(response: Response): Promise<ApiError> {
  let payload: unknown;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (typeof payload === 'object' && payload !== null && 'error' in payload) {
    const e = (payload as { error: { code?: unknown; message?: unknown; details?: unknown } }).error;
    if (typeof e.code === 'string' && typeof e.message === 'string') {
      return new ApiError(response.status, e.code as ErrorCode, e.message, e.details);
    }
  }
  return new ApiError(response.status, 'internal', `HTTP ${response.status}`);
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, { signal }),
  post: <T>(path: string, json?: unknown) => request<T>('POST', path, { json }),
  patch: <T>(path: string, json: unknown) => request<T>('PATCH', path, { json }),
  put: <T>(path: string, raw: Blob, contentType: string) => request<T>('PUT', path, { raw, contentType }),
  delete: <T = void>(path: string) => request<T>('DELETE', path),
};

/** Encode one path segment (ids and tokens come from URLs the user can edit). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
