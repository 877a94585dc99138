import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CpanelClient } from '../../src/core/client';
import type { Param } from '../../src/core/api/request';
import type { ApiResult } from '../../src/core/result';
import type { Sandbox } from '../../src/sandbox/server';
import {
  emptyShaping,
  pageInfo,
  parseShaping,
  shapingParams,
  shapingProblems,
  withPageStart,
  type Shaping,
} from '../../src/shared/shaping';
import { client, closeAll, CREDS, profile, startSandbox } from '../helpers/sandbox';

const sh = (over: Partial<Shaping>): Shaping => ({ ...emptyShaping(), ...over });
const pairs = (family: 'uapi' | 'whm' | 'api2', s: Shaping): Param[] => shapingParams(family, s).map((p) => [p.name, p.value]);

describe('output shaping in the forms cPanel documents', () => {
  it('UAPI: each feature with its switch, the sort method, several filters numbered', () => {
    const s = sh({
      sortField: '_diskused',
      sortMethod: 'numeric',
      sortReverse: true,
      filters: [
        { field: 'email', type: 'begins', value: 'box' },
        { field: '_diskused', type: 'gt', value: '1000' },
      ],
      pageSize: '50',
      pageStart: '101',
    });
    assert.deepEqual(
      pairs('uapi', s).map(([k, v]) => `${k}=${v}`),
      [
        'api.sort=1',
        'api.sort_column=_diskused',
        'api.sort_method=numeric',
        'api.sort_reverse=1',
        'api.filter=1',
        'api.filter_column_0=email',
        'api.filter_type_0=begins',
        'api.filter_term_0=box',
        'api.filter_column_1=_diskused',
        'api.filter_type_1=gt',
        'api.filter_term_1=1000',
        'api.paginate=1',
        'api.paginate_size=50',
        'api.paginate_start=101',
      ],
    );
    // One filter keeps the unnumbered form of the documentation; defined/undefined take no term.
    assert.deepEqual(pairs('uapi', sh({ filters: [{ field: 'email', type: 'defined', value: 'x' }] })), [
      ['api.filter', '1'],
      ['api.filter_column', 'email'],
      ['api.filter_type', 'defined'],
    ]);
  });

  it('WHM API 1: lettered filters, the sort method and chunks from record 1', () => {
    const s = sh({
      sortField: 'user',
      sortMethod: 'lexicographic',
      filters: [
        { field: 'domain', type: 'contains', value: 'example' },
        { field: 'suspended', type: '==', value: '0' },
      ],
      pageSize: '5',
    });
    assert.deepEqual(
      pairs('whm', s).map(([k, v]) => `${k}=${v}`),
      [
        'api.sort.enable=1',
        'api.sort.a.field=user',
        'api.sort.a.method=lexicographic',
        'api.filter.enable=1',
        'api.filter.a.field=domain',
        'api.filter.a.type=contains',
        'api.filter.a.arg0=example',
        'api.filter.b.field=suspended',
        'api.filter.b.type===',
        'api.filter.b.arg0=0',
        'api.chunk.enable=1',
        'api.chunk.size=5',
        'api.chunk.start=1',
      ],
    );
  });

  it('says what is wrong before anything is sent', () => {
    assert.deepEqual(shapingProblems('whm', sh({ filters: [{ field: 'x', type: 'ends', value: 'a' }] })), [
      '"ends" is not a filter type of this API: use contains, begins, eq, ==, lt, lt_equal, lt_handle_unlimited, gt, gt_equal, gt_handle_unlimited.',
    ]);
    assert.match(shapingProblems('uapi', sh({ filters: [{ field: 'x', type: '==', value: '1' }] }))[0]!, /not a filter type/);
    assert.deepEqual(shapingProblems('whm', sh({ filters: [{ field: 'diskused', type: 'gt', value: 'big' }] })), [
      'The filter on diskused compares numbers (gt): give it a number.',
    ]);
    assert.deepEqual(shapingProblems('uapi', sh({ columns: 'a' })), [
      'UAPI has no column selection: choose columns in the result table instead.',
    ]);
    assert.deepEqual(
      shapingProblems(
        'api2',
        sh({
          filters: [
            { field: 'a', type: 'eq', value: '1' },
            { field: 'b', type: 'eq', value: '1' },
          ],
        }),
      ),
      ['cPanel API 2 takes one filter.'],
    );
    assert.deepEqual(shapingProblems('uapi', sh({ pageStart: '0', pageSize: '10' })), ['"Start at" counts records from 1.']);
    assert.deepEqual(shapingProblems('uapi', sh({ sortMethod: 'numeric' })), ['A sort method needs a field to sort by.']);
    assert.deepEqual(
      shapingProblems(
        'uapi',
        sh({ sortField: 'a', sortMethod: 'numeric', filters: [{ field: 'a', type: 'lt', value: '5' }], pageSize: '20' }),
      ),
      [],
    );
  });

  it('reads a form saved with the one filter of before, and refuses what is not shaping', () => {
    assert.deepEqual(
      parseShaping({
        sortField: 'user',
        sortReverse: false,
        filterField: 'domain',
        filterType: 'eq',
        filterValue: 'a',
        pageSize: '',
        pageStart: '',
        columns: '',
      })?.filters,
      [{ field: 'domain', type: 'eq', value: 'a' }],
    );
    assert.equal(parseShaping({ sortMethod: 'random' }), undefined);
    assert.equal(parseShaping({ filters: [{ field: 'a b', type: 'eq', value: '' }] }), undefined);
    assert.equal(parseShaping({ filters: Array.from({ length: 11 }, () => ({ field: 'a', type: 'eq', value: '' })) }), undefined);
  });

  it('reads the page an answer is from its metadata, and asks for another page', () => {
    const asked: Param[] = [
      ['api.paginate', '1'],
      ['api.paginate_size', '20'],
      ['api.paginate_start', '21'],
    ];
    assert.deepEqual(
      pageInfo(
        'uapi',
        asked,
        { paginate: { total_results: 45, total_pages: 3, current_page: 2, results_per_page: 20, start_result: '21' } },
        20,
      ),
      { start: 21, size: 20, shown: 20, total: 45, page: 2, pages: 3, hasPrevious: true, hasNext: true },
    );
    assert.equal(pageInfo('uapi', [['api.paginate_size', '20']], {}, 20), undefined, 'without api.paginate=1 there are no pages');
    const whm = pageInfo(
      'whm',
      [
        ['api.chunk.enable', '1'],
        ['api.chunk.size', '5'],
        ['api.chunk.start', '6'],
      ],
      { chunk: { start: 6, size: 5, records: 7, current: 2 } },
      2,
    );
    assert.deepEqual([whm?.page, whm?.pages, whm?.hasNext, whm?.hasPrevious], [2, 2, false, true]);
    // Without a total, a full page may have a next one.
    assert.equal(
      pageInfo(
        'whm',
        [
          ['api.chunk.enable', '1'],
          ['api.chunk.size', '5'],
        ],
        {},
        5,
      )?.hasNext,
      true,
    );
    assert.deepEqual(withPageStart('uapi', [...asked, ['user', 'x']], 41), [
      ['api.paginate', '1'],
      ['api.paginate_size', '20'],
      ['user', 'x'],
      ['api.paginate_start', '41'],
    ]);
  });
});

describe('the sandbox takes only the documented shaping forms', () => {
  let sb: Sandbox;
  let whm: CpanelClient;
  const uapi = (params: Param[]): Promise<ApiResult> =>
    whm.call({ family: 'uapi', module: 'Email', function: 'list_pops_with_disk', params, asUser: 'cptest' });
  const emails = (r: ApiResult): string[] => (r.data as { email: string }[]).map((x) => x.email);

  before(async () => {
    sb = await startSandbox({ extraMailboxes: 2000 });
    whm = client(profile(sb, 'whm', { auth: 'token' }), { token: CREDS.root.whmToken });
  });
  after(async () => {
    await closeAll();
    await sb.stop();
  });

  it("UAPI: the builder's shaping sorts numbers numerically, filters twice and pages", async () => {
    const s = sh({
      sortField: '_diskused',
      sortMethod: 'numeric',
      sortReverse: true,
      filters: [
        { field: 'email', type: 'begins', value: 'box' },
        { field: 'suspended_login', type: 'eq', value: '0' },
      ],
      pageSize: '100',
      pageStart: '101',
    });
    const r = await uapi(pairs('uapi', s));
    assert.equal(r.kind, 'ok', r.hint);
    const rows = r.data as { _diskused: number; suspended_login: number; email: string }[];
    assert.equal(rows.length, 100);
    assert.ok(
      rows.every((x, i) => x.suspended_login === 0 && x.email.startsWith('box') && (i === 0 || rows[i - 1]!._diskused >= x._diskused)),
      'descending by number',
    );
    const page = pageInfo('uapi', pairs('uapi', s), r.metadata, rows.length);
    assert.equal(page?.total, 2000 - Math.floor(2000 / 17));
    assert.equal(page?.page, 2);
  });

  it('UAPI: shaping parameters without their switch fail the call and say why', async () => {
    const cases: [Param[], RegExp][] = [
      [[['api.sort_column', 'email']], /“api\.sort_column” has no effect unless api\.sort=1 is sent/],
      [
        [
          ['api.filter_column', 'email'],
          ['api.filter_term', 'box'],
        ],
        /unless api\.filter=1/,
      ],
      [[['api.paginate_size', '10']], /unless api\.paginate=1/],
      [
        [
          ['api.sort', '1'],
          ['api.sort_column', '_diskused'],
        ],
        /Cannot sort the numeric return “_diskused” lexicographically: set the sort method to numeric/,
      ],
      [[['api.sort.enable', '1']], /Unknown output parameter “api\.sort\.enable”/],
      [
        [
          ['api.filter', '1'],
          ['api.filter_column', 'email'],
          ['api.filter_type', 'regex'],
        ],
        /Invalid filter type “regex”/,
      ],
    ];
    for (const [params, why] of cases) {
      const r = await uapi(params);
      assert.equal(r.kind, 'api_error', JSON.stringify(params));
      assert.match(r.errors.join(' '), why);
    }
  });

  it('WHM API 1: the documented forms work, the undocumented ones fail', async () => {
    const good = await whm.call({
      family: 'whm',
      function: 'listaccts',
      params: pairs(
        'whm',
        sh({ sortField: 'user', sortReverse: true, filters: [{ field: 'domain', type: 'contains', value: 'example' }], pageSize: '1' }),
      ),
    });
    assert.equal(good.kind, 'ok', good.hint);
    assert.deepEqual(
      (good.data as { acct: { user: string }[] }).acct.map((a) => a.user),
      ['cptest'],
    );
    assert.deepEqual(good.metadata.chunk, { start: 1, size: 1, records: 2, current: 1 });
    const cases: [Param[], RegExp][] = [
      [[['api.sort.a.field', 'user']], /unless api\.sort\.enable=1/],
      [
        [
          ['api.chunk.enable', '1'],
          ['api.chunk.size', '1'],
          ['api.chunk.start', '0'],
        ],
        /1-indexed/,
      ],
      [[['api.sort_column', 'user']], /Unknown output parameter “api\.sort_column”/],
      [
        [
          ['api.filter.enable', '1'],
          ['api.filter.a.field', 'user'],
          ['api.filter.a.type', 'ends'],
          ['api.filter.a.arg0', 'b'],
        ],
        /Invalid filter type “ends”/,
      ],
      [
        [
          ['api.filter.enable', '1'],
          ['api.filter.a.field', 'user'],
          ['api.filter.a.type', 'gt'],
          ['api.filter.a.arg0', 'b'],
        ],
        /needs a numeric term/,
      ],
    ];
    for (const [params, why] of cases) {
      const r = await whm.call({ family: 'whm', function: 'listaccts', params });
      assert.equal(r.kind, 'api_error', JSON.stringify(params));
      assert.match(r.errors.join(' '), why);
    }
  });

  it('cPanel API 2: api2_* shaping, and the UAPI spelling refused', async () => {
    const r = await whm.call({
      family: 'api2',
      module: 'Email',
      function: 'listpops',
      params: pairs('api2', sh({ sortField: 'email', sortReverse: true, pageSize: '3' })),
      asUser: 'cptest',
    });
    assert.equal(r.kind, 'ok', r.hint);
    assert.equal((r.data as unknown[]).length, 3);
    const bad = await whm.call({
      family: 'api2',
      module: 'Email',
      function: 'listpops',
      params: [['api2_sort_column', 'email']],
      asUser: 'cptest',
    });
    assert.equal(bad.kind, 'api_error');
  });

  it('paging through all 2,000 mailboxes page by page loses and repeats nothing', async () => {
    const base = pairs('uapi', sh({ sortField: 'email', pageSize: '500' }));
    const seen: string[] = [];
    let params: Param[] = base;
    for (;;) {
      const r = await uapi(params);
      assert.equal(r.kind, 'ok', r.hint);
      seen.push(...emails(r));
      const page = pageInfo('uapi', params, r.metadata, (r.data as unknown[]).length)!;
      if (!page.hasNext) break;
      params = withPageStart('uapi', params, page.start + page.size);
    }
    assert.equal(seen.length, 2002);
    assert.equal(new Set(seen).size, 2002);
    assert.deepEqual(seen, [...seen].sort());
  });
});
