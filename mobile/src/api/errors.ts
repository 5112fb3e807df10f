// One error type for everything the server (or the network) can answer, classified once.

export type ErrorKind = 'network' | 'transient' | 'auth' | 'expired' | 'permanent';

export interface FileProblem {
  index: number;
  code: string;
  detail?: string;
}

export class ApiError extends Error {
  /** HTTP status, or null when no answer came (offline, DNS, reset, timeout). */
  readonly status: number | null;
  /** The problem's stable machine code, or a client-side one (`network_error`, `http_500`, ...). */
  readonly code: string;
  readonly detail: string;
  /** From `Retry-After`, in milliseconds, when the server sent one. */
  readonly retryAfterMs: number | null;
  /** A refused batch lists every bad file. */
  readonly errors: FileProblem[];

  constructor(opts: {
    status: number | null;
    code: string;
    detail: string;
    retryAfterMs?: number | null;
    errors?: FileProblem[];
  }) {
    super(`${opts.code}: ${opts.detail}`);
    this.name = 'ApiError';
    this.status = opts.status;
    this.code = opts.code;
    this.detail = opts.detail;
    this.retryAfterMs = opts.retryAfterMs ?? null;
    this.errors = opts.errors ?? [];
  }

  get kind(): ErrorKind {
    const s = this.status;
    if (s === null) return 'network';
    if (s === 401) return 'auth';
    if (s === 408 || s === 425 || s === 429 || s >= 500) return 'transient';
    return 'permanent';
  }
}

/** `Retry-After` is delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined || value === '') return null;
  const trimmed = String(value).trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/** A presigned PUT refused because its URL is too old (our own /blobs, or S3's "Request has expired"). */
export function isExpiredUrl(err: ApiError): boolean {
  if (err.status !== 403) return false;
  return err.code === 'url_expired' || err.code === 'signature_invalid' || /expired/i.test(err.detail);
}

export function errorFromResponse(
  status: number,
  body: unknown,
  headers: Record<string, string | undefined>,
  now: number,
): ApiError {
  let code = `http_${status}`;
  let detail = `the server answered ${status}`;
  let errors: FileProblem[] = [];
  if (body && typeof body === 'object') {
    const problem = body as { code?: unknown; detail?: unknown; title?: unknown; errors?: unknown };
    if (typeof problem.code === 'string') code = problem.code;
    if (typeof problem.detail === 'string') detail = problem.detail;
    else if (typeof problem.title === 'string') detail = problem.title;
    if (Array.isArray(problem.errors)) {
      errors = problem.errors.filter(
        (e): e is FileProblem => !!e && typeof e === 'object' && typeof (e as FileProblem).index === 'number',
      );
    }
  } else if (typeof body === 'string') {
    // S3 answers XML: <Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>
    const xmlCode = /<Code>([^<]+)<\/Code>/.exec(body);
    const xmlMessage = /<Message>([^<]+)<\/Message>/.exec(body);
    if (xmlCode) code = xmlCode[1];
    if (xmlMessage) detail = xmlMessage[1];
  }
  const retry = headers['retry-after'] ?? headers['Retry-After'];
  return new ApiError({ status, code, detail, retryAfterMs: parseRetryAfter(retry, now), errors });
}

export function networkError(cause: unknown): ApiError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ApiError({ status: null, code: 'network_error', detail: detail || 'the server could not be reached' });
}

export function toApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : networkError(err);
}

/** An error in words for the Backup screen. */
export function describeError(err: ApiError): string {
  if (err.kind === 'network') return 'no connection to the server';
  if (err.status === 429) return 'the server asked us to slow down';
  if (err.status !== null && err.status >= 500) return `the server is unavailable (${err.code})`;
  return err.detail;
}
