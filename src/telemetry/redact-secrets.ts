/**
 * What the logs must never show: credentials, passwords, auth headers, presigned URL signatures and
 * the user:password part of URLs. Two layers, because neither alone is enough:
 * - pino's `redact` (paths from `redactPaths()`) censors known keys up to a few levels deep, whatever
 *   the value's type (an SDK `credentials` object, say);
 * - `scrubSecrets()` runs over every finished JSON line, so string values under secret-looking keys
 *   at any depth, and secrets inside free text (an error message quoting a URL), are caught too.
 */

export const REDACTED = '[REDACTED]';

/**
 * Key names (compared lowercased, without `-` and `_`) whose values are secret. Substring matches:
 * `opensearch_password`, `AWS_SECRET_ACCESS_KEY`, `X-Amz-Security-Token` all hit.
 */
const SECRET_KEY_PARTS = [
  'password',
  'passwd',
  'secret',
  'accesskeyid',
  'sessiontoken',
  'securitytoken',
  'authorization',
  'xamzsignature',
  'xamzcredential',
  'cookie',
] as const;

/** Keys whose whole value (often an object) is redacted by pino's `redact`. */
const REDACT_KEYS = [
  'password',
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'AccessKeyId',
  'SecretAccessKey',
  'SessionToken',
  'credentials',
  'Credentials',
  'authorization',
  'Authorization',
  'OPENSEARCH_PASSWORD',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  '"x-amz-security-token"',
  '"X-Amz-Security-Token"',
  '"x-amz-signature"',
  '"X-Amz-Signature"',
  'cookie',
] as const;

export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replaceAll(/[-_]/g, '');
  return SECRET_KEY_PARTS.some((part) => normalized.includes(part));
}

/**
 * pino `redact` paths for the secret keys at depths 0 to `depth` (pino's `*` matches one level
 * only, so each depth needs its own path).
 */
export function redactPaths(depth = 3): string[] {
  const paths: string[] = [];
  for (let level = 0; level <= depth; level++) {
    const wildcards = Array.from({ length: level }, () => '*');
    for (const key of REDACT_KEYS) {
      // Keys with dashes need bracket syntax, which attaches without a dot: `*.*["x-amz-..."]`.
      paths.push(key.startsWith('"') ? `${wildcards.join('.')}[${key}]` : [...wildcards, key].join('.'));
    }
  }
  return paths;
}

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s"'@?#]+@/gi;
const PRESIGNED_PARAMS = /([?&](?:x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&\s"'#\\]+/gi;
/** SigV4 `Authorization` header values quoted in text (`..., Signature=<64 hex>`). */
const SIGV4_SIGNATURE = /(\bSignature=)[0-9a-f]{64}/gi;
/** `Authorization: Basic <base64>` or `Bearer <token>` quoted in text. */
const AUTH_SCHEME = /(\b(?:Basic|Bearer)\s+)[A-Za-z0-9+/=._~-]{8,}/g;
/** Headers and settings quoted in free text: `x-amz-security-token: ...`, `aws_secret_access_key=...`. */
const TEXT_ASSIGNMENTS =
  /(\b(?:x-amz-security-token|aws_secret_access_key|aws_session_token)\s*[:=]\s*)[^\s"',;&\\]+/gi;

/** Secrets inside free text: URL user:password, presigned URL signatures, SigV4 signatures, auth headers. */
export function scrubText(text: string): string {
  return text
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(PRESIGNED_PARAMS, `$1${REDACTED}`)
    .replace(SIGV4_SIGNATURE, `$1${REDACTED}`)
    .replace(AUTH_SCHEME, `$1${REDACTED}`)
    .replace(TEXT_ASSIGNMENTS, `$1${REDACTED}`);
}

/** A URL (string or `URL`) without its user:password and presigned signature parameters. */
export function redactUrl(url: unknown): unknown {
  if (url instanceof URL) return scrubText(url.href);
  return typeof url === 'string' ? scrubText(url) : url;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/** Index of the quote closing the JSON string whose text starts at `from`, or -1. Linear: no regex. */
function stringEnd(line: string, from: number): number {
  for (let i = line.indexOf('"', from); i >= 0; i = line.indexOf('"', i + 1)) {
    let backslashes = 0;
    while (line.charCodeAt(i - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
  return -1;
}

/**
 * Censors one serialized JSON log line: string values under secret-looking keys at any depth, every
 * string inside an array or object held by such a key, and secrets embedded in any text. The line
 * stays valid JSON. One linear scan, whatever the line's length or its escapes (a regular expression
 * with alternation over an 8-million-character value ran out of stack).
 */
export function scrubSecrets(line: string): string {
  const parts: string[] = [];
  let copied = 0;
  let depth = 0;
  /** Depth at which a container held by a secret key began; strings below it are censored. */
  let secretDepth = -1;
  let secretNext = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(line, i + 1);
      if (end < 0) break;
      let next = end + 1;
      while (line.charCodeAt(next) === 0x20) next++;
      if (line.charCodeAt(next) === COLON) {
        if (secretDepth < 0) secretNext = isSecretKey(line.slice(i + 1, end));
      } else {
        if (secretNext || secretDepth >= 0) {
          parts.push(line.slice(copied, i), `"${REDACTED}"`);
          copied = end + 1;
        }
        secretNext = false;
      }
      i = end;
    } else if (c === 0x7b || c === 0x5b) {
      if (secretNext && secretDepth < 0) secretDepth = depth;
      secretNext = false;
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === secretDepth) secretDepth = -1;
    } else if (c !== COLON && c !== 0x2c && c !== 0x20) {
      secretNext = false;
    }
  }
  parts.push(line.slice(copied));
  return scrubText(parts.join(''));
}
