import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Catalog } from '../../src/core/catalog';
import { carriesSecret, isSecretParam } from '../../src/shared/families';

/**
 * Which parameters hold secrets, reviewed against every parameter of the catalog (it has no
 * "password" type, so names are what it says). A name wrongly secret costs little (a POST, a redacted
 * value in History); one wrongly not secret puts a password in cPanel's access_log.
 */
describe('secret parameters', () => {
  const names = new Set(Catalog.load().functions.flatMap((f) => f.params.map((p) => p.name)));

  it('catches every credential-holding parameter of the catalog', () => {
    const mustCatch = [
      'password',
      'pass',
      'passwd',
      'newpass',
      'oldpass',
      'root_password',
      'password_hash',
      'pass_hash',
      'mysql_pass',
      'passphrase',
      'key_passphrase',
      'sshkey_passphrase',
      'access_token',
      'login_token',
      'PUSHBULLET_ACCESS_TOKEN',
      'pushbullet_access_token',
      'api_token',
      'token',
      'tfa_token',
      'secret',
      'client_secret',
      'privatekey',
      'key',
      'cp_security_token',
      'autologin_token_url',
    ];
    for (const n of mustCatch) {
      assert.ok(names.has(n), `${n} is a catalog parameter`);
      assert.ok(isSecretParam(n), n);
    }
  });

  it('leaves names that only mention a secret alone', () => {
    const mustNot = [
      'token_name',
      'key_id',
      'key_name',
      'key_type',
      'key_size',
      'sshkey_name',
      'passive',
      'showpass',
      'authname',
      'authtype',
      'include_hash',
      'app_key',
      'session_id',
      'handle_api_token',
      'skipapitokens',
    ];
    for (const n of mustNot) {
      assert.ok(names.has(n), `${n} is a catalog parameter`);
      assert.equal(isSecretParam(n), false, n);
    }
  });

  it('a request carries a secret when a secret-named parameter has a value, or the caller marks one', () => {
    assert.equal(
      carriesSecret([
        ['email', 'a'],
        ['password', ''],
      ]),
      false,
    );
    assert.equal(carriesSecret([['password', 'x']]), true);
    assert.equal(carriesSecret([['regex', 'x']], ['regex']), true);
  });
});
