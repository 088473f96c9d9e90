// The raw page walk every sync benchmark is held against: fetch and JSON.parse each Stripe page, load nothing (Node and browser alike).

/** What a sync must at least do: walk every page over HTTP and parse it, loading nothing. */
export async function rawFetchParse(base: string, key: string): Promise<number> {
  let rows = 0;
  let after: string | null = null;
  for (;;) {
    const url = new URL('v1/customers?limit=100', base);
    if (after) url.searchParams.set('starting_after', after);
    const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    const page = JSON.parse(await response.text()) as { data: { id: string }[]; has_more: boolean };
    rows += page.data.length;
    if (!page.has_more) return rows;
    after = page.data.at(-1)!.id;
  }
}
