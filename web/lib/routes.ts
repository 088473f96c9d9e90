// The app's pages as hash routes (`#/`, `#/sources`, `#/sources/<name>`, `#/mutations`, `#/agents`, `#/settings`).

export type Page = 'query' | 'sources' | 'mutations' | 'agents' | 'settings';

export interface Route {
  page: Page;
  /** On the sources page: the source to show first. */
  source?: string;
  /** On the sources page: open the "add a source" form. */
  add?: boolean;
}

export const PAGES: { page: Page; label: string }[] = [
  { page: 'query', label: 'Query' },
  { page: 'sources', label: 'Sources' },
  { page: 'mutations', label: 'Mutations' },
  { page: 'agents', label: 'Agents' },
  { page: 'settings', label: 'Settings' },
];

/** Unknown hashes land on the query page, so an old bookmark never shows a blank screen. */
export function parseHash(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((p) => decodeURIComponent(p));
  const [page, detail] = parts;
  if (page === 'sources') {
    if (detail === 'new') return { page, add: true };
    return detail ? { page, source: detail } : { page };
  }
  if (page === 'mutations' || page === 'agents' || page === 'settings') return { page };
  return { page: 'query' };
}

export function hashOf(route: Route): string {
  if (route.page === 'query') return '#/';
  if (route.page === 'sources' && route.add) return '#/sources/new';
  if (route.page === 'sources' && route.source) return `#/sources/${encodeURIComponent(route.source)}`;
  return `#/${route.page}`;
}
