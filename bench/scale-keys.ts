/** The object keys of the scale benchmarks (backfill-scale.ts, listing-memory.ts). */

/** File n of a selection: 1,000 per day folder, spread over 10 accounts and 4 regions. */
export function keyOf(n: number): string {
  const folder = Math.floor(n / 1000);
  const account = String(100000000000 + (folder % 10));
  const region = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'][
    Math.floor(folder / 10) % 4
  ] as string;
  const date = new Date(Date.UTC(2024, 0, 1) + Math.floor(folder / 40) * 86_400_000);
  const [yyyy, mm, dd] = date.toISOString().slice(0, 10).split('-') as [string, string, string];
  const id = n.toString(36).padStart(16, '0');
  return `AWSLogs/${account}/CloudTrail/${region}/${yyyy}/${mm}/${dd}/${account}_CloudTrail_${region}_${yyyy}${mm}${dd}T0000Z_${id}.json.gz`;
}
