import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OVERVIEW_FILE, readSavedObjects, type SavedObject } from '../../../src/setup/saved-objects.ts';
import { deleteIndexes } from '../../helpers/opensearch.ts';
import { stackEnv } from '../../helpers/stack.ts';
import { startCli } from '../../helpers/worker-process.ts';
import { fieldsUsed } from '../../unit/setup/saved-object-fields.ts';
import { type RecordingDashboards, startRecordingDashboards } from './recording-dashboards.ts';

const stack = stackEnv();
const prefix = `t-setup-${randomUUID().slice(0, 8)}`;
const env = { OPENSEARCH_URL: stack.OPENSEARCH_URL, INDEX_PREFIX: prefix, LOG_LEVEL: 'info' };
const endpoint = `${stack.OPENSEARCH_URL} (auth: none)`;
/** A real log file with a console sign-in among its events. */
const SIGN_IN_FILE = resolve(
  import.meta.dirname,
  '../../fixtures/cloudtrail/invictus-ir_aws_dataset/218007301253_CloudTrail_us-east-1_20230710T1230Z_AvIajGd5rkz6vTy4.json',
);

async function cli(
  args: string[],
  extra: Record<string, string> = {},
): Promise<{ code: number | string; output: string }> {
  const process = startCli(args, { ...env, ...extra });
  const code = await process.exited;
  return { code, output: process.output() };
}

async function search(
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${stack.OPENSEARCH_URL}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('setup against real OpenSearch (Dashboards: a recording stand-in)', () => {
  let dashboards: RecordingDashboards;
  let shipped: SavedObject[];

  beforeAll(async () => {
    dashboards = await startRecordingDashboards('/_dashboards');
    shipped = await readSavedObjects(OVERVIEW_FILE);
  });

  afterAll(async () => {
    await dashboards.close();
    await deleteIndexes(stack.OPENSEARCH_URL, `${prefix}-*`);
  });

  it('installs the templates and imports the saved objects, then a second run changes nothing', async () => {
    const first = await cli(['setup', '--dashboards', dashboards.url]);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(`OpenSearch ${endpoint}`);
    expect(first.output).toContain('cluster: opensearch 2.19.5, mapping mode flat-object');
    expect(first.output).toContain(`index template ${prefix}-events: created`);
    expect(first.output).toContain(`index template ${prefix}-insights: created`);
    expect(first.output).toContain(`ISM policy ${prefix}-retention: skipped (RETENTION_DAYS is not set`);
    expect(first.output).toContain(`index-pattern "${prefix}-*": created`);
    expect(first.output).toContain(`dashboard "CloudTrail overview (${prefix})": created`);
    expect(first.output).toContain(
      `Setup done: ${shipped.length + 2} created, 0 updated, 0 already in place.`,
    );

    const imports = dashboards.requests.filter((request) => request.url.includes('/_import'));
    expect(imports).toHaveLength(1);
    const [upload] = imports;
    expect(upload?.method).toBe('POST');
    expect(upload?.url).toBe('/_dashboards/api/saved_objects/_import?overwrite=true');
    expect(upload?.headers['osd-xsrf']).toBe('true');
    expect(upload?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(upload?.upload?.field).toBe('file');
    expect(upload?.upload?.fileName).toMatch(/\.ndjson$/);
    const imported = upload?.upload?.objects as SavedObject[];
    expect(imported).toHaveLength(shipped.length);
    expect(imported.find((object) => object.type === 'index-pattern')?.attributes).toEqual({
      title: `${prefix}-*`,
      timeFieldName: 'eventTime',
    });
    for (const object of imported) expect(object.id.startsWith(`${prefix}-`)).toBe(true);

    const templatesBefore = await search(`/_index_template/${prefix}-*`);
    const requestsBefore = dashboards.requests.length;
    const second = await cli(['setup', '--dashboards', dashboards.url]);
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain(`index template ${prefix}-events: unchanged`);
    expect(second.output).toContain(`index template ${prefix}-insights: unchanged`);
    expect(second.output).not.toMatch(/: (created|updated)/);
    expect(second.output).toContain(
      `Setup done: 0 created, 0 updated, ${shipped.length + 2} already in place.`,
    );
    expect(dashboards.requests.slice(requestsBefore).map((request) => request.url)).toEqual([
      '/_dashboards/api/saved_objects/_bulk_get',
    ]);
    expect((await search(`/_index_template/${prefix}-*`)).body).toEqual(templatesBefore.body);
  });

  it('gives a new index the template: mapping mode, core types, settings', async () => {
    const transform = startCli(['transform', '--prefix', prefix, SIGN_IN_FILE], env);
    expect(await transform.exited).toBe(0);
    const bulk = `${transform
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .join('\n')}\n`;
    const response = await fetch(`${stack.OPENSEARCH_URL}/_bulk?refresh=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: bulk,
    });
    expect(((await response.json()) as { errors: boolean }).errors).toBe(false);

    const index = `${prefix}-2023-07`;
    const mapping = (await search(`/${index}/_mapping`)).body as Record<
      string,
      {
        mappings: {
          properties: Record<string, { type?: string; properties?: Record<string, { type?: string }> }>;
        };
      }
    >;
    const properties = mapping[index]?.mappings.properties ?? {};
    expect(properties.eventTime?.type).toBe('date');
    expect(properties.eventName?.type).toBe('keyword');
    expect(properties.sourceIPAddress?.type).toBe('keyword');
    expect(properties.userIdentity?.properties?.arn?.type).toBe('keyword');
    expect(properties.responseElements_flattened?.type).toBe('flat_object');
    expect(properties.responseElements_raw?.type).toBe('text');
    const settings = (await search(`/${index}/_settings`)).body as Record<
      string,
      { settings: { index: { mapping?: { total_fields?: { limit?: string } } } } }
    >;
    expect(settings[index]?.settings.index.mapping?.total_fields?.limit).toBe('8192');
  });

  it('runs every query and aggregation of the dashboard on the new index without an error', async () => {
    const queries: string[] = [];
    for (const object of shipped) {
      const meta = object.attributes.kibanaSavedObjectMeta as { searchSourceJSON?: string } | undefined;
      const query = (JSON.parse(meta?.searchSourceJSON ?? '{}') as { query?: { query?: string } }).query
        ?.query;
      if (query) queries.push(query);
      if (typeof object.attributes.visState === 'string') {
        const { aggs } = JSON.parse(object.attributes.visState) as {
          aggs: Array<{ params?: { filters?: Array<{ input: { query: string } }> } }>;
        };
        for (const agg of aggs)
          for (const filter of agg.params?.filters ?? []) queries.push(filter.input.query);
      }
    }
    const counts = new Map<string, number>();
    for (const query of queries) {
      // As Dashboards sends a Lucene query: query_string with analyze_wildcard (its default queryString:options).
      const answer = await search(`/${prefix}-*/_count`, {
        query: { query_string: { query, analyze_wildcard: true } },
      });
      expect(answer.status, `${query}: ${JSON.stringify(answer.body)}`).toBe(200);
      counts.set(query, answer.body.count as number);
    }
    expect(counts.get('eventName:ConsoleLogin')).toBeGreaterThan(0);
    expect(counts.get('responseElements_flattened.ConsoleLogin:Success')).toBeGreaterThan(0);

    const aggregated = [
      ...new Set(
        fieldsUsed(shipped)
          .filter(({ use }) => use === 'aggregation')
          .map(({ field }) => field),
      ),
    ];
    const caps = (await search(`/${prefix}-*/_field_caps?fields=${aggregated.join(',')}`)).body as {
      fields: Record<string, Record<string, { aggregatable: boolean }>>;
    };
    for (const field of aggregated) {
      const types = Object.values(caps.fields[field] ?? {});
      expect(types.length, field).toBeGreaterThan(0);
      for (const type of types) expect(type.aggregatable, field).toBe(true);
    }
  });

  it('says the ISM plugin is not installed, with the endpoint and the HTTP status, and still reports the rest', async () => {
    const run = await cli(['setup'], { RETENTION_DAYS: '30' });
    expect(run.code).toBe(1);
    expect(run.output).toContain(`index template ${prefix}-events: unchanged`);
    expect(run.output).toContain(`ISM policy ${prefix}-retention: FAILED`);
    expect(run.output).toContain(
      `error: Reading the ISM policy ${prefix}-retention at ${endpoint} failed: HTTP 400: no handler found for uri [/_plugins/_ism/policies/${prefix}-retention] and method [GET] (ISM plugin not installed:`,
    );
    expect(run.output).toContain(
      'Setup incomplete: 0 created, 0 updated, 2 already in place; 1 step failed.',
    );
  });

  it('names the Dashboards endpoint and its HTTP status when Dashboards refuses', async () => {
    dashboards.failWith = 403;
    try {
      const run = await cli(['setup', '--dashboards', dashboards.url]);
      expect(run.code).toBe(1);
      expect(run.output).toContain('saved objects: FAILED');
      expect(run.output).toContain(
        `error: Reading the saved objects at ${dashboards.url} (auth: none) failed: HTTP 403: Forbidden: no access`,
      );
    } finally {
      dashboards.failWith = undefined;
    }
  });
});
