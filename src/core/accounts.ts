import type { ApiRequest } from './api/request';

/** One cPanel account as WHM's listaccts reports it. */
export interface Account {
  user: string;
  domain: string;
  suspended: boolean;
}

/** The listaccts call every account list is read from. */
export const LISTACCTS: ApiRequest = { family: 'whm', function: 'listaccts', params: [['want', 'user,domain,suspended']] };

/** Reads listaccts' data: only well-formed entries, sorted by user. */
export function readAccounts(data: unknown): Account[] {
  const list = (data as { acct?: unknown } | null)?.acct;
  if (!Array.isArray(list)) return [];
  const out: Account[] = [];
  for (const a of list as Record<string, unknown>[]) {
    if (!a || typeof a.user !== 'string' || !a.user) continue;
    out.push({
      user: a.user,
      domain: typeof a.domain === 'string' ? a.domain : '',
      suspended: a.suspended === 1 || a.suspended === '1' || a.suspended === true,
    });
  }
  return out.sort((a, b) => a.user.localeCompare(b.user));
}
