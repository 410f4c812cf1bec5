/** Small read-only helpers for asserting on what reached OpenSearch. */
export async function countDocuments(url: string, pattern: string): Promise<number> {
  await fetch(`${url}/${pattern}/_refresh?ignore_unavailable=true&allow_no_indices=true`, { method: 'POST' });
  const response = await fetch(`${url}/${pattern}/_count?ignore_unavailable=true&allow_no_indices=true`);
  const body = (await response.json()) as { count?: number };
  return body.count ?? 0;
}

export async function waitForCount(
  url: string,
  pattern: string,
  expected: number,
  timeoutMs = 90_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let count = 0;
  while (Date.now() < deadline) {
    count = await countDocuments(url, pattern);
    if (count >= expected) return count;
    await new Promise((r) => setTimeout(r, 500));
  }
  return count;
}

/** All `_id`s under an index pattern (scrolls; fine for the few thousand documents tests load). */
export async function documentIds(url: string, pattern: string): Promise<string[]> {
  await fetch(`${url}/${pattern}/_refresh`, { method: 'POST' });
  const ids: string[] = [];
  let response = (await (
    await fetch(`${url}/${pattern}/_search?scroll=1m`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ size: 1000, _source: false, sort: ['_doc'] }),
    })
  ).json()) as { _scroll_id: string; hits: { hits: Array<{ _id: string }> } };
  while (response.hits.hits.length > 0) {
    ids.push(...response.hits.hits.map((hit) => hit._id));
    response = (await (
      await fetch(`${url}/_search/scroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scroll: '1m', scroll_id: response._scroll_id }),
      })
    ).json()) as typeof response;
  }
  return ids;
}

export async function deleteIndexes(url: string, pattern: string): Promise<void> {
  await fetch(`${url}/${pattern}?ignore_unavailable=true&allow_no_indices=true&expand_wildcards=all`, {
    method: 'DELETE',
  });
  await fetch(`${url}/_index_template/${pattern.replace(/\*$/, '')}*`, { method: 'DELETE' });
}
