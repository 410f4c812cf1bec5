import { Client, type ClientOptions } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import type { OpenSearchAuth, Sigv4Service } from './opensearch-auth.ts';

/** The settings the client is built from, named as the configuration names them (config.ts). */
export interface OpenSearchClientConfig {
  readonly OPENSEARCH_URL: string;
  readonly OPENSEARCH_AUTH: OpenSearchAuth;
  readonly OPENSEARCH_USERNAME?: string | undefined;
  readonly OPENSEARCH_PASSWORD?: string | undefined;
  readonly OPENSEARCH_SIGV4_SERVICE: Sigv4Service;
  readonly OPENSEARCH_TLS_VERIFY: boolean;
  readonly OPENSEARCH_REQUEST_TIMEOUT_SECONDS: number;
  readonly AWS_REGION?: string | undefined;
}

/** What the SDK's credential providers return; declared here to avoid depending on @aws-sdk/types. */
export type AwsCredentialProvider = () => Promise<{
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}>;

export interface OpenSearchClientDeps {
  /** Credentials for SigV4; defaults to the SDK's chain (env, profile, ECS task role, instance role). */
  readonly credentials?: AwsCredentialProvider;
  /** The client's HTTP connection class: unit tests answer requests at this layer, below the client. */
  readonly Connection?: ClientOptions['Connection'];
}

/** The endpoint as it may appear in logs and errors: no user info, plus the auth mode. */
export function describeEndpoint(config: OpenSearchClientConfig): string {
  const url = new URL(config.OPENSEARCH_URL);
  url.username = '';
  url.password = '';
  const auth =
    config.OPENSEARCH_AUTH === 'sigv4' ? `sigv4/${config.OPENSEARCH_SIGV4_SERVICE}` : config.OPENSEARCH_AUTH;
  return `${url.origin}${url.pathname === '/' ? '' : url.pathname} (auth: ${auth})`;
}

/**
 * The SDK's default chain (env, profile, ECS task role, instance role), loaded at the first signed
 * request: only SigV4 needs it, and the credential providers cost every other process a few MB.
 */
function defaultCredentialChain(): AwsCredentialProvider {
  let chain: Promise<AwsCredentialProvider> | undefined;
  return async () => {
    chain ??= import('@aws-sdk/credential-providers').then(({ fromNodeProviderChain }) =>
      fromNodeProviderChain(),
    );
    return (await chain)();
  };
}

/** Builds the one OpenSearch client of the process: auth, TLS verification, keep-alive, timeouts. */
export function createOpenSearchClient(
  config: OpenSearchClientConfig,
  deps: OpenSearchClientDeps = {},
): Client {
  const options: ClientOptions = {
    node: config.OPENSEARCH_URL,
    requestTimeout: config.OPENSEARCH_REQUEST_TIMEOUT_SECONDS * 1000,
    pingTimeout: 5000,
    // The bulk writer retries with its own backoff and accounts for every attempt; the
    // transport's hidden retries of 502/503/504 would only multiply them.
    maxRetries: 0,
    ssl: { rejectUnauthorized: config.OPENSEARCH_TLS_VERIFY },
    agent: { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 64, maxFreeSockets: 16 },
    ...(deps.Connection ? { Connection: deps.Connection } : {}),
  };
  switch (config.OPENSEARCH_AUTH) {
    case 'none':
      return new Client(options);
    case 'basic':
      return new Client({
        ...options,
        auth: { username: config.OPENSEARCH_USERNAME ?? '', password: config.OPENSEARCH_PASSWORD ?? '' },
      });
    case 'sigv4': {
      const credentials = deps.credentials ?? defaultCredentialChain();
      return new Client({
        ...options,
        ...AwsSigv4Signer({
          region: config.AWS_REGION ?? '',
          service: config.OPENSEARCH_SIGV4_SERVICE,
          getCredentials: () => credentials(),
        }),
      });
    }
  }
}
