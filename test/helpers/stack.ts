import { inject } from 'vitest';

/** Endpoints of the real OpenSearch and LocalStack that the integration project's global setup provides. */
export interface StackEnv {
  OPENSEARCH_URL: string;
  AWS_ENDPOINT_URL: string;
  AWS_REGION: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  QUEUE_URL: string;
  DLQ_URL: string;
  BUCKET: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEnv;
  }
}

export function stackEnv(): StackEnv {
  return inject('stack');
}
