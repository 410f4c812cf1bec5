/**
 * Cross-checks the IAM that infra/ grants the worker's task role against the calls the code makes.
 *
 * What the code calls: every `new XxxCommand(` in the files the task role's commands (worker,
 * backfill, setup) import, directly or not, plus the commands sqs-consumer sends through the worker's SQS
 * client, plus the OpenSearch HTTP methods of the client APIs those files use. What is granted:
 * every action of the `task` policy document in infra/iam.tf. Missing actions break the service;
 * extra ones are access nobody needs. The other commands (pause, resume, status, redrive, setup,
 * retention) run with an operator's credentials, never the task role: the report lists their calls
 * by call site.
 *
 * Run: `npm run iam:check` (exit 1 on a mismatch). test/unit/scripts/check-iam.test.ts runs it in `check`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '..');

/** Commands that run as the ECS task role: the service, and backfill and setup as one-off tasks. */
export const TASK_ROLE_ENTRIES = ['src/bin/worker.ts', 'src/bin/backfill.ts', 'src/bin/setup.ts'] as const;

/** Libraries that send SDK commands through a client the code hands them. */
const SDK_CALLING_LIBRARIES: Readonly<Record<string, { service: string; files: readonly string[] }>> = {
  'sqs-consumer': { service: 'sqs', files: ['node_modules/sqs-consumer/dist/esm/consumer.js'] },
};

/**
 * Actions reachable through an imported module that the task role's commands never call, each with
 * the reason. Checked to stay reachable, so a stale entry is reported too.
 */
export const NOT_CALLED_BY_TASK_ROLE: Readonly<Record<string, string>> = {
  'ssm:PutParameter':
    'control/pause-switch.ts: the worker only reads the switch; set() is called by pause and resume; control/backfill-record.ts: written by backfill --via-queue, an operator command (README)',
  'sqs:GetQueueUrl':
    'control/queue-depth.ts: reachable through cli.ts, which loads any command on demand; status and redrive (operator commands) call it',
  'sqs:GetQueueAttributes':
    'control/queue-depth.ts: reachable through cli.ts, which loads any command on demand; status, redrive and backfill --via-queue (operator commands, README) call it',
};

/** Granted without an SDK call of ours: the service uses them on the role's behalf. */
export const IMPLICIT_ACTIONS: Readonly<Record<string, string>> = {
  'kms:Decrypt': 'S3 and SQS decrypt SSE-KMS objects and queues with the caller’s permission',
  'kms:GenerateDataKey': 'SQS encrypts messages sent to a KMS-encrypted queue (the DLQ) with it',
};

/** IAM service prefixes where they differ from the SDK client package name. */
const IAM_PREFIX: Readonly<Record<string, string>> = { opensearch: 'es', cloudwatch: 'cloudwatch' };

/** Commands whose IAM action has another name. */
const ACTION_OF_COMMAND: Readonly<Record<string, string>> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjects': 's3:ListBucket',
  's3:HeadBucket': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
  'sqs:SendMessageBatch': 'sqs:SendMessage',
};

/** The HTTP method each OpenSearch client API sends (IAM: es:ESHttp<Method>). */
const OPENSEARCH_API_METHODS: Readonly<Record<string, string>> = {
  info: 'Get',
  ping: 'Head',
  bulk: 'Post',
  mget: 'Post',
  'cat.indices': 'Get',
  'indices.create': 'Put',
  'indices.delete': 'Delete',
  'indices.exists': 'Head',
  'indices.getIndexTemplate': 'Get',
  'indices.putIndexTemplate': 'Put',
};
/** Client members that send nothing (connection handling). */
const OPENSEARCH_LOCAL_APIS = new Set(['close', 'destroy', 'send']);
/** Raw requests: their method is read from the call, which must start `transport.request({ method: 'X'`. */
const OPENSEARCH_RAW_API = 'transport.request';

export function iamActionOf(service: string, command: string): string {
  const action = `${IAM_PREFIX[service] ?? service}:${command}`;
  return ACTION_OF_COMMAND[action] ?? action;
}

export interface SdkCall {
  readonly file: string;
  readonly service: string;
  readonly command: string;
  readonly action: string;
}

function read(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `new XxxCommand(` in a file, with the service from the `@aws-sdk/client-<service>` import that names it. */
export function sdkCallsIn(file: string, text: string = read(file)): SdkCall[] {
  const serviceOf = new Map<string, string>();
  for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g)) {
    for (const name of (match[1] as string)
      .split(',')
      .map((part) => part.replace(/^\s*type\s+/, '').trim())) {
      if (name !== '') serviceOf.set(name, match[2] as string);
    }
  }
  return [...text.matchAll(/new ([A-Z][A-Za-z0-9]*)Command\(/g)].map((match) => {
    const command = match[1] as string;
    const service = serviceOf.get(`${command}Command`);
    if (!service)
      throw new Error(`${file}: ${command}Command is not imported from an @aws-sdk/client-* package`);
    return { file, service, command, action: iamActionOf(service, command) };
  });
}

/**
 * Files an entry executes: relative value imports followed transitively (`import type` is erased),
 * including modules loaded on demand (`await import('./x.ts')`, as cli.ts loads each command).
 */
export function importGraph(entries: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = read(file);
    const imports = [
      ...text.matchAll(/^(?:import|export)\s+(?!type\s)[^'"]*?from\s+'(\.[^']+)'/gm),
      ...text.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g),
    ];
    for (const match of imports) {
      const target = relative(repoRoot, resolve(repoRoot, dirname(file), match[1] as string));
      if (existsSync(join(repoRoot, target))) visit(target);
    }
  };
  for (const entry of entries) visit(entry);
  return seen;
}

/** Packages a set of files import at run time. */
function packagesImported(files: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    for (const match of read(file).matchAll(/^import\s+(?!type\s)[^'"]*?from\s+'([^'.][^']*)'/gm)) {
      const specifier = match[1] as string;
      names.add(
        specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : (specifier.split('/')[0] as string),
      );
    }
  }
  return names;
}

/** `client.<api>(` calls on the OpenSearch client (`client` is its name throughout src/). */
export function openSearchApisIn(text: string): string[] {
  return [...text.matchAll(/\bclient\.((?:[a-z]+\.)?[a-zA-Z]+)\(/g)].map((match) => match[1] as string);
}

/** The actions of one `data "aws_iam_policy_document" "<name>"` block, dynamic statements included. */
export function grantedActions(terraform: string, documentName: string): Set<string> {
  const header = new RegExp(`data\\s+"aws_iam_policy_document"\\s+"${documentName}"\\s*\\{`);
  const start = terraform.search(header);
  if (start < 0) throw new Error(`no aws_iam_policy_document "${documentName}"`);
  let depth = 0;
  let end = start;
  for (let i = terraform.indexOf('{', start); i < terraform.length; i++) {
    if (terraform[i] === '{') depth++;
    if (terraform[i] === '}' && --depth === 0) {
      end = i;
      break;
    }
  }
  const block = terraform.slice(start, end).replaceAll(/#[^\n]*/g, '');
  const actions = new Set<string>();
  for (const match of block.matchAll(/\bactions\s*=\s*\[([^\]]*)\]/g)) {
    for (const action of (match[1] as string).matchAll(/"([^"]+)"/g)) actions.add(action[1] as string);
  }
  return actions;
}

export interface IamReport {
  /** What the task role's commands call, each action with the files (or library) calling it. */
  readonly needed: ReadonlyMap<string, readonly string[]>;
  readonly granted: ReadonlySet<string>;
  /** Called but not granted: the service would fail with AccessDenied. */
  readonly missing: readonly string[];
  /** Granted but not called (nor implicit): more access than the code needs. */
  readonly extra: readonly string[];
  /** NOT_CALLED_BY_TASK_ROLE entries whose module the task role no longer imports. */
  readonly staleExclusions: readonly string[];
  /** What the operator commands call (pause, resume, status, redrive, retention), by call site. */
  readonly operator: ReadonlyMap<string, readonly string[]>;
}

function addTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key) ?? [];
  if (!list.includes(value)) list.push(value);
  map.set(key, list);
}

function actionsOf(files: Iterable<string>): Map<string, string[]> {
  const actions = new Map<string, string[]>();
  for (const file of files) {
    for (const call of sdkCallsIn(file)) addTo(actions, call.action, file);
    for (const api of openSearchApisIn(read(file))) {
      if (OPENSEARCH_LOCAL_APIS.has(api)) continue;
      if (api === OPENSEARCH_RAW_API) continue;
      const method = OPENSEARCH_API_METHODS[api];
      if (!method) throw new Error(`${file}: client.${api}() has no HTTP method in OPENSEARCH_API_METHODS`);
      addTo(actions, `es:ESHttp${method}`, file);
    }
    const text = read(file);
    const raw = text.split(`client.${OPENSEARCH_RAW_API}(`).length - 1;
    const methods = [...text.matchAll(/client\.transport\.request\(\s*\{\s*method:\s*'([A-Z]+)'/g)];
    if (methods.length !== raw) {
      throw new Error(`${file}: a client.${OPENSEARCH_RAW_API}() call does not start with a literal method`);
    }
    for (const match of methods) {
      const method = (match[1] as string).toLowerCase();
      addTo(actions, `es:ESHttp${method[0]?.toUpperCase()}${method.slice(1)}`, file);
    }
  }
  return actions;
}

export function checkIam(iamFile = 'infra/iam.tf'): IamReport {
  const taskFiles = importGraph(TASK_ROLE_ENTRIES);
  const needed = actionsOf(taskFiles);
  for (const name of packagesImported(taskFiles)) {
    const library = SDK_CALLING_LIBRARIES[name];
    if (!library) continue;
    for (const file of library.files) {
      for (const match of read(file).matchAll(/new ([A-Z][A-Za-z0-9]*)Command\(/g))
        addTo(needed, iamActionOf(library.service, match[1] as string), name);
    }
  }
  const staleExclusions = Object.keys(NOT_CALLED_BY_TASK_ROLE).filter((action) => !needed.has(action));
  for (const action of Object.keys(NOT_CALLED_BY_TASK_ROLE)) needed.delete(action);

  const granted = grantedActions(read(iamFile), 'task');
  // Call sites outside what the task role runs: the operator commands' needs, by file (a command
  // may import a module for one function, so files say more than a per-command graph would).
  const operator = new Map<string, string[]>();
  const outside = sourceFiles('src').filter((file) => !taskFiles.has(file));
  for (const [action, files] of actionsOf(outside)) operator.set(action, files.sort());
  for (const [action, why] of Object.entries(NOT_CALLED_BY_TASK_ROLE))
    addTo(operator, action, `src/${why.split(':')[0]}`);
  return {
    needed,
    granted,
    missing: [...needed.keys()].filter((action) => !granted.has(action)).sort(),
    extra: [...granted].filter((action) => !needed.has(action) && !(action in IMPLICIT_ACTIONS)).sort(),
    staleExclusions,
    operator: new Map([...operator].sort(([a], [b]) => a.localeCompare(b))),
  };
}

function main(): void {
  const report = checkIam();
  const lines = [`Task role (${TASK_ROLE_ENTRIES.join(', ')}): action <- callers`];
  for (const [action, callers] of [...report.needed].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  ${report.granted.has(action) ? 'ok     ' : 'MISSING'} ${action} <- ${callers.join(', ')}`);
  }
  for (const action of report.extra) lines.push(`  EXTRA   ${action} (granted, never called)`);
  for (const [action, why] of Object.entries(IMPLICIT_ACTIONS)) {
    if (report.granted.has(action)) lines.push(`  implicit ${action}: ${why}`);
  }
  for (const [action, why] of Object.entries(NOT_CALLED_BY_TASK_ROLE))
    lines.push(`  not needed ${action}: ${why}`);
  for (const action of report.staleExclusions)
    lines.push(`  STALE exclusion ${action}: no longer imported by the task role`);
  lines.push('', 'Operator commands (their own credentials, not the task role): action <- call sites');
  for (const [action, files] of report.operator) lines.push(`  ${action} <- ${files.join(', ')}`);
  console.log(lines.join('\n'));
  const failed = report.missing.length + report.extra.length + report.staleExclusions.length > 0;
  if (failed)
    console.error(
      '\niam:check: the task role policy and the code disagree (see MISSING / EXTRA / STALE above).',
    );
  process.exitCode = failed ? 1 : 0;
}

if (import.meta.main) main();
