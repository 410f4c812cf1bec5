import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../src/bin/s3-client.ts';
import { loadConfig } from '../src/config.ts';

/**
 * `npm run demo:upload`: puts the sample log files of demo/logs/ into $BUCKET under the keys
 * CloudTrail would use, so a running worker indexes them (the local-process twin of the compose
 * demo loader). Run with .stack/env loaded.
 */
const NAME = /^(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{4})(\d{2})(\d{2})T\d{4}Z_[A-Za-z0-9]+\.json\.gz$/;
const bucket = process.env.BUCKET;
if (!bucket) {
  console.error('BUCKET is not set: load the local stack first (set -a; . .stack/env; set +a).');
  process.exit(2);
}
const folder = resolve(import.meta.dirname, '../demo/logs');
const s3 = createS3Client(process.env, loadConfig(process.env).AWS_REQUEST_TIMEOUT_SECONDS);
let uploaded = 0;
for (const name of readdirSync(folder).sort()) {
  const match = NAME.exec(name);
  if (!match) continue;
  const [, account, region, year, month, day] = match;
  const key = `AWSLogs/${account}/CloudTrail/${region}/${year}/${month}/${day}/${name}`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(join(folder, name)) }));
  console.log(`uploaded s3://${bucket}/${key}`);
  uploaded++;
}
console.log(`${uploaded} demo files uploaded; a running worker indexes them within seconds.`);
s3.destroy();
