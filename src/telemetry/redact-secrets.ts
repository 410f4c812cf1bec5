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
/** A JSON member with a string value; the key has no quotes or escapes (no secret key name does). */
const JSON_STRING_MEMBER = /"([^"\\]{1,200})":"(?:[^"\\]|\\.)*"/g;

/** Secrets inside free text: URL user:password, presigned URL signatures, SigV4 signatures. */
export function scrubText(text: string): string {
  return text
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(PRESIGNED_PARAMS, `$1${REDACTED}`)
    .replace(SIGV4_SIGNATURE, `$1${REDACTED}`);
}

/** A URL (string or `URL`) without its user:password and presigned signature parameters. */
export function redactUrl(url: unknown): unknown {
  if (url instanceof URL) return scrubText(url.href);
  return typeof url === 'string' ? scrubText(url) : url;
}

/**
 * Censors one serialized JSON log line: string values under secret-looking keys at any depth, and
 * secrets embedded in any text. The line stays valid JSON.
 */
export function scrubSecrets(line: string): string {
  const censored = line.replace(JSON_STRING_MEMBER, (member, key: string) =>
    isSecretKey(key) ? `"${key}":"${REDACTED}"` : member,
  );
  return scrubText(censored);
}
