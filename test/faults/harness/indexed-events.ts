/**
 * The `eventID` of every document under an index pattern, one entry per document: a duplicate
 * shows up twice even if it sits in another index (where `_id` alone could not collide).
 */
export async function indexedEventIds(url: string, pattern: string): Promise<string[]> {
  const post = async (path: string, body: unknown): Promise<ScrollPage> => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as ScrollPage;
  };
  await fetch(`${url}/${pattern}/_refresh?ignore_unavailable=true&allow_no_indices=true`, { method: 'POST' });
  const ids: string[] = [];
  let page = await post(`/${pattern}/_search?scroll=1m&ignore_unavailable=true&allow_no_indices=true`, {
    size: 5000,
    _source: ['eventID'],
    sort: ['_doc'],
  });
  while (page.hits.hits.length > 0) {
    for (const hit of page.hits.hits)
      ids.push(String(hit._source?.eventID ?? `(no eventID, _id ${hit._id})`));
    page = await post('/_search/scroll', { scroll: '1m', scroll_id: page._scroll_id });
  }
  if (page._scroll_id) {
    await fetch(`${url}/_search/scroll`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scroll_id: page._scroll_id }),
    });
  }
  return ids;
}

interface ScrollPage {
  readonly _scroll_id?: string;
  readonly hits: { readonly hits: ReadonlyArray<{ _id: string; _source?: { eventID?: unknown } }> };
}
