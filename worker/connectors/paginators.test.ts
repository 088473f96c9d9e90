// Paginators on the pages that lose records: empty pages that say there is more, missing cursors, short pages.
import { describe, expect, it } from 'vitest';
import { SyncError } from '../errors.ts';
import { createPaginator } from './paginators.ts';
import type { PageRequest } from './request.ts';

const request = (url = 'https://api.example.com/v1/items'): PageRequest => ({
  url: new URL(url),
  method: 'GET',
  headers: {},
});
const page = (body: unknown, records: unknown[]) => ({ status: 200, headers: new Headers(), body, records });

describe('paginators never end a walk early', () => {
  it('last_record_cursor fails on an empty page that says has_more (it has no record to continue from)', () => {
    const p = createPaginator({
      type: 'last_record_cursor',
      cursor_param: 'starting_after',
      record_field: 'id',
      has_more_path: 'has_more',
    });
    const next = () => p.next(page({ data: [], has_more: true }, []), request());
    expect(next).toThrow(SyncError);
    expect(next).toThrow('the page is empty but has_more is true');
  });

  it('last_record_cursor fails when has_more is true but the last record has no cursor field', () => {
    const p = createPaginator({
      type: 'last_record_cursor',
      cursor_param: 'starting_after',
      record_field: 'id',
      has_more_path: 'has_more',
    });
    expect(() => p.next(page({ has_more: true }, [{ id: 'a' }, { name: 'no id' }]), request())).toThrow(
      "has_more is true but the page's last record has no id",
    );
  });

  it('offset keeps going on a short page while the total says there is more, and fails on an empty one', () => {
    const p = createPaginator({
      type: 'offset',
      limit: 100,
      offset_param: 'offset',
      limit_param: 'limit',
      total_path: 'total',
    });
    const r = request();
    p.init(r);
    // The API capped the page at 50 although 100 were asked for: 50 of 120 seen, so there is more.
    const fifty = Array.from({ length: 50 }, (_, i) => ({ id: i }));
    expect(p.next(page({ total: 120 }, fifty), r)).toBe(true);
    expect(r.url.searchParams.get('offset')).toBe('50');
    expect(() => p.next(page({ total: 120 }, []), r)).toThrow(
      'the page is empty but total is 120 and 50 were seen',
    );
  });

  it('offset without a total still ends on a short page', () => {
    const p = createPaginator({ type: 'offset', limit: 2, offset_param: 'offset', limit_param: 'limit' });
    const r = request();
    p.init(r);
    expect(p.next(page({}, [{ id: 1 }, { id: 2 }]), r)).toBe(true);
    expect(p.next(page({}, [{ id: 3 }]), r)).toBe(false);
  });

  it('page_number fails on an empty page while the total says there is more', () => {
    const p = createPaginator({ type: 'page_number', base_page: 1, page_param: 'page', total_path: 'total' });
    const r = request();
    p.init(r);
    expect(p.next(page({ total: 3 }, [{ id: 1 }]), r)).toBe(true);
    expect(() => p.next(page({ total: 3 }, []), r)).toThrow(
      'the page is empty but total is 3 and 1 were seen',
    );
  });

  it('graphql_relay fails when hasNextPage is true but endCursor is missing', () => {
    const p = createPaginator({
      type: 'graphql_relay',
      page_info_path: 'data.items.pageInfo',
      cursor_variable: 'after',
    });
    const r: PageRequest = { ...request(), method: 'POST', json: { query: 'q', variables: {} } };
    expect(() =>
      p.next(page({ data: { items: { pageInfo: { hasNextPage: true, endCursor: null } } } }, [{}]), r),
    ).toThrow('hasNextPage is true but endCursor is missing');
    // An empty page with a cursor to go on is followed (the fetcher bounds runs of empty pages).
    expect(
      p.next(page({ data: { items: { pageInfo: { hasNextPage: true, endCursor: 'c2' } } } }, []), r),
    ).toBe(true);
    expect(r.json).toEqual({ query: 'q', variables: { after: 'c2' } });
  });
});
