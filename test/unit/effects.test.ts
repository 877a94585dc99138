import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { effectOf } from '../../src/core/api/effects';

const ROOT = join(__dirname, '..', '..', '..');

describe('what a function does to the server', () => {
  it('destructive: what was missed before, and the obvious ones', () => {
    const whm = [
      'reboot',
      'delip',
      'api_token_revoke',
      'resetzone',
      'delsubdomain',
      'deladdondomain',
      'restoreaccount',
      'mass_edit_dns_zone',
      'removeacct',
      'suspendacct',
      'killdns',
      'passwd',
      'delpkg',
      'terminatereseller',
      'restartservice',
    ];
    for (const f of whm) assert.equal(effectOf('whm', f), 'destructive', f);
    for (const f of [
      'Tokens/revoke',
      'Email/delete_pop',
      'Email/passwd_pop',
      'Mysql/delete_database',
      'Ftp/kill_session',
      'UserManager/change_password',
    ])
      assert.equal(effectOf('uapi', f), 'destructive', f);
  });

  it('not destructive: unsuspending, creating and reading', () => {
    for (const f of ['unsuspendacct', 'createacct', 'Email/add_pop', 'addzonerecord'])
      assert.notEqual(effectOf(f.includes('/') ? 'uapi' : 'whm', f), 'destructive', f);
    for (const f of [
      'listaccts',
      'version',
      'applist',
      'accountsummary',
      'get_password_strength',
      'restore_queue_list_pending',
      'system_needs_reboot',
    ])
      assert.equal(effectOf('whm', f), 'read', f);
    for (const f of ['Email/list_pops', 'Variables/get_user_information', 'ClamScanner/check_disinfection_status'])
      assert.equal(effectOf('uapi', f), 'read', f);
    assert.equal(effectOf('uapi', 'Email/add_pop'), 'changes');
    assert.equal(effectOf('whm', 'createacct'), 'changes');
  });

  it('every catalog function has an effect, and unknown names count as changes (the safe side)', () => {
    const c = JSON.parse(readFileSync(join(ROOT, 'resources', 'cpanel-api-catalog-v138.json'), 'utf8')) as {
      uapi: { module: string; function: string }[];
      whm: { function: string }[];
    };
    const counts = { read: 0, changes: 0, destructive: 0 };
    for (const f of c.whm) counts[effectOf('whm', f.function)]++;
    for (const f of c.uapi) counts[effectOf('uapi', `${f.module}/${f.function}`)]++;
    assert.equal(counts.read + counts.changes + counts.destructive, c.whm.length + c.uapi.length);
    assert.ok(counts.destructive > 120 && counts.destructive < 250, JSON.stringify(counts));
    assert.equal(effectOf('whm', 'frobnicate'), 'changes');
  });
});
