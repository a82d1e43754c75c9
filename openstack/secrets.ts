// ulm's one secret masker: what configuration dumps, error messages and every log line pass
// through so that no password, token or URL credential is ever shown.

export const MASK = '****';

/**
 * Keys whose values are secrets wherever they appear (log fields, HTTP headers, request bodies,
 * options): `password`, `ipmi_password`, `X-Auth-Token`, `application_credential_secret`...
 * `token_cache_time` and the like are not: the secret word must end the key.
 */
const SECRET_KEY = /(^|[_.-])(password|passwd|secret|token|auth[_-]?token|subject[_-]?token|authorization|api[_-]?key|memcache_secret_key)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * The URL with its credentials' password replaced by `****`, safe to log: `mysql://ulm:****@db/ulm`.
 * Everything from the first user's ":" to the last "@" is hidden, so a password with an
 * unencoded "@" or "," never leaks (multi-host transport URLs lose their first hosts instead).
 */
export function maskUrlPasswords(text: string): string {
  const start = text.indexOf('://');
  if (start < 0) return text;
  const rest = text.slice(start + 3);
  const queryStart = rest.indexOf('?');
  const beforeQuery = queryStart >= 0 ? rest.slice(0, queryStart) : rest;
  const at = beforeQuery.lastIndexOf('@');
  const colon = beforeQuery.indexOf(':');
  if (at < 0 || colon < 0 || colon > at) return text;
  return `${text.slice(0, start + 3)}${rest.slice(0, colon)}:${MASK}${rest.slice(at)}`;
}

/** A value known to be secret, as it may be shown: URLs keep all but their password, other secrets nothing. */
export function maskSecret(text: string): string {
  if (!text) return text;
  return text.includes('://') ? maskUrlPasswords(text) : MASK;
}

// `X-Auth-Token: gAAAA...`, `password=hunter2`, `"password": "hunter2"`, `token=...` in a query.
// The key is bounded so that long text (a request body) costs linear time, never backtracking.
const KEY_VALUE = /(["']?)([\w.-]{0,40}?(?:password|passwd|secret|token|authorization|api[_-]?key))\1(\s{0,4}[:=]\s{0,4})(["']?)(?:Bearer\s+)?([^\s"'&,;}]+)\4/gi;

/**
 * Every URL's user:password@ inside free text masked, found by a scan for "://" rather than a
 * regular expression, which would backtrack on long text. The password runs to the last "@" of
 * the word, as it may hold one.
 */
function maskUrlCredentials(text: string): string {
  let out = '';
  let copied = 0;
  let search = 0;
  for (let scheme = text.indexOf('://', search); scheme >= 0; scheme = text.indexOf('://', search)) {
    const start = scheme + 3;
    let end = start;
    while (end < text.length && !/\s/.test(text[end])) end += 1;
    const word = text.slice(start, end);
    const colon = word.indexOf(':');
    const at = word.lastIndexOf('@');
    if (colon >= 0 && at > colon && !word.slice(0, colon).includes('/')) {
      out += `${text.slice(copied, start + colon + 1)}${MASK}`;
      copied = start + at;
    }
    search = Math.max(end, start);
  }
  return out + text.slice(copied);
}

/** Whether text names a secret at all: a linear scan that spares most text the pair search below. */
const SECRET_WORD = /password|passwd|secret|token|authorization|api[_-]?key/i;

/** Free text with every embedded secret masked: URL credentials and KEY=VALUE / "KEY": "VALUE" pairs. */
export function maskSecretsIn(text: string): string {
  const scrubbed = maskUrlCredentials(text);
  if (!SECRET_WORD.test(scrubbed)) return scrubbed;
  return scrubbed
    .replace(KEY_VALUE, (whole, quote: string, key: string, separator: string, valueQuote: string, value: string) =>
      (isSecretKey(key) && value !== MASK && !/redacted/i.test(value) ? `${quote}${key}${quote}${separator}${valueQuote}${MASK}${valueQuote}` : whole));
}

/** A copy of a log record or a body with secret-named fields masked and every string scrubbed. */
export function maskRecord<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return maskSecretsIn(value) as T;
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => maskRecord(item, depth + 1)) as T;
  // An error's message and stack are not enumerable: keep them, masked, in the shape pino logs.
  if (value instanceof Error) {
    const { name, message, stack } = value;
    return maskRecord({ type: name, message, stack, ...(value as unknown as Record<string, unknown>) }, depth) as T;
  }
  // Class instances (a request, a socket) are left to their log serializers, which pick a few
  // harmless fields; walking them would be slow and would defeat those serializers.
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    copy[key] = isSecretKey(key) && item !== null && item !== undefined && item !== '' && typeof item !== 'boolean' && typeof item !== 'number'
      ? MASK
      : maskRecord(item, depth + 1);
  }
  return copy as T;
}

/** Query parameters whose values are secrets (signed URLs, tokens in links). */
const SECRET_QUERY = /^(password|secret|token|key|signature|x-auth-token)$/i;

/** A URL fit for a log line: no user:password@, no secret-looking query values. */
export function loggableUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
  parsed.username = '';
  parsed.password = '';
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_QUERY.test(key)) parsed.searchParams.set(key, '[redacted]');
  }
  return parsed.toString();
}
