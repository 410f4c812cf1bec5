// Kept apart from the client so that config.ts can name the choices without loading the client.

/** How the client authenticates: not at all, HTTP basic, or AWS SigV4 (Amazon OpenSearch Service). */
export const OPENSEARCH_AUTH_MODES = ['none', 'basic', 'sigv4'] as const;
export type OpenSearchAuth = (typeof OPENSEARCH_AUTH_MODES)[number];
/** The SigV4 service name: `es` for a managed domain, `aoss` for OpenSearch Serverless. */
export const SIGV4_SERVICES = ['es', 'aoss'] as const;
export type Sigv4Service = (typeof SIGV4_SERVICES)[number];
