import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * STAND-IN for the Amazon OpenSearch Service control plane: no emulator here plays out a
 * domain change (a blue/green deployment with its processing flags), so this small HTTP server
 * answers the one call the worker makes, `DescribeDomain`
 * (`GET /2021-01-01/opensearch/domain/{DomainName}`, REST-JSON), with the fields of `DomainStatus` the AWS SDK reads and the domain watch looks at. The worker
 * reaches it through the SDK's service-specific endpoint variable, AWS_ENDPOINT_URL_OPENSEARCH, so
 * S3, SQS and SSM still go to LocalStack. It does not check signatures. Any other path is a 404 in
 * the service's error shape.
 */
export interface DomainControlPlane {
  /** For AWS_ENDPOINT_URL_OPENSEARCH. */
  readonly url: string;
  /** DescribeDomain calls answered, and how many of them said the domain was changing. */
  readonly stats: { describes: number; describesWhileChanging: number };
  /** A blue/green deployment begins (`Processing: true`, `DomainProcessingStatus: Modifying`). */
  beginChange(): void;
  /** It ended (`Processing: false`, `Active`). */
  endChange(): void;
  close(): Promise<void>;
}

const DESCRIBE_DOMAIN = /^\/2021-01-01\/opensearch\/domain\/([a-z][a-z0-9-]{2,27})$/;

export async function startDomainControlPlane(domainName: string): Promise<DomainControlPlane> {
  const stats = { describes: 0, describesWhileChanging: 0 };
  let changing = false;

  const send = (response: ServerResponse, status: number, body: unknown, errorType?: string): void => {
    response.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-requestid': `stand-in-${stats.describes}`,
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    response.end(JSON.stringify(body));
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    const match = request.method === 'GET' ? DESCRIBE_DOMAIN.exec(request.url ?? '') : null;
    if (!match || match[1] !== domainName) {
      send(
        response,
        404,
        { message: `Domain not found: ${match?.[1] ?? request.url}` },
        'ResourceNotFoundException',
      );
      return;
    }
    stats.describes += 1;
    if (changing) stats.describesWhileChanging += 1;
    send(response, 200, {
      DomainStatus: {
        DomainId: `000000000000/${domainName}`,
        DomainName: domainName,
        ARN: `arn:aws:es:us-east-1:000000000000:domain/${domainName}`,
        Created: true,
        Deleted: false,
        Endpoint: `search-${domainName}-stand-in.us-east-1.es.amazonaws.com`,
        EngineVersion: 'OpenSearch_2.19',
        Processing: changing,
        UpgradeProcessing: false,
        DomainProcessingStatus: changing ? 'Modifying' : 'Active',
        ClusterConfig: { InstanceType: 'r7g.large.search', InstanceCount: 1 },
        ...(changing
          ? { ChangeProgressDetails: { ChangeId: 'stand-in-change', ConfigChangeStatus: 'ApplyingChanges' } }
          : {}),
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    beginChange() {
      changing = true;
    },
    endChange() {
      changing = false;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
