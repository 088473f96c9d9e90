// The raw page walk every sync benchmark is held against: fetch and JSON.parse each Stripe page, load nothing (Node and browser alike).

/**
 * What a sync must at least do: walk every page over HTTP and parse it, loading nothing. `onPage` sees each
 * page's text as it came (the headless sync's floor keeps it for DuckDB's own reader).
 */
export async function rawFetchParse(
  base: string,
  key: string,
  onPage?: (text: string, index: number) => void,
): Promise<number> {
  let rows = 0;
  let after: string | null = null;
  for (let index = 0; ; index++) {
    const url = new URL('v1/customers?limit=100', base);
    if (after) url.searchParams.set('starting_after', after);
    // No HTTP cache, as the sync's own requests (worker/sync/http.ts): in Chromium it costs 2–4 ms a page.
    const response = await fetch(url, { headers: { authorization: `Bearer ${key}` }, cache: 'no-store' });
    const text = await response.text();
    const page = JSON.parse(text) as { data: { id: string }[]; has_more: boolean };
    onPage?.(text, index);
    rows += page.data.length;
    if (!page.has_more) return rows;
    after = page.data.at(-1)!.id;
  }
}
