import { passwordLogin } from './login';
import type { AuthScheme } from './scheme';

/**
 * Session login: POST /login once (user, pass, and tfa_token in session 2FA mode), then every call
 * goes to /cpsessNNNNNNNNNN/… with the session cookie. The login itself is in login.ts, the
 * session's life in session.ts.
 */
export const sessionScheme: AuthScheme = {
  name: 'session login',
  detail: () => 'POST /login once, then a cpsess token and cookie',
  secret: 'password',
  serviceProblem: () => undefined,
  authorization: () => undefined,
  twoFactor: ['session'],
  secretForms: (_p, password) => [password],
  openSession: (c) =>
    passwordLogin({
      send: c.send,
      user: c.profile.username,
      password: c.secret,
      totp: c.profile.twoFactor === 'session' ? c.totp : undefined,
      redactor: c.redactor,
      ...(c.signal ? { signal: c.signal } : {}),
    }),
  refusedHint: (_p, status) => `The server refused the session (HTTP ${status}). Sign in again.`,
  codegen(h) {
    const tfa = h.twoFactor === 'session';
    switch (h.language) {
      case 'curl':
        return {
          lines: [
            'jar=$(mktemp)',
            'trap \'rm -f "$jar"\' EXIT',
            '# Log in once: the answer names the session token (/cpsessNNNNNNNNNN); the cookie goes to the jar.',
            `token=$(curl --silent --show-error${h.curlTls} --cookie-jar "$jar" ${h.q(`${h.url}/login/?login_only=1`)} \\`,
            `  --data-urlencode ${h.q(`user=${h.user}`)} \\`,
            `  --data-urlencode pass=${h.env('CPANEL_PASSWORD')}${tfa ? ` \\\n  --data-urlencode tfa_token="$(${h.otp})"` : ''} \\`,
            "  | grep -o '/cpsess[0-9]*' | head -n 1)",
            '[ -n "$token" ] || { echo "login failed" >&2; exit 3; }',
          ],
          prefix: '"$token"',
          curlArgs: ['  --cookie "$jar"'],
        };
      case 'perl':
        return {
          lines: [
            '# Log in once: the answer names the session token (/cpsessNNNNNNNNNN) and sets the cookie.',
            `my $login = $ua->post("$base/login/?login_only=1", [user => ${h.q(h.user)}, pass => ${h.env('CPANEL_PASSWORD')}${tfa ? `, tfa_token => ${h.otp}` : ''}]);`,
            "my ($token) = (($login->header('Location') // '') . $login->decoded_content) =~ m{(/cpsess\\d+)};",
            'die "Login failed: " . $login->status_line . "\\n" unless $token;',
          ],
          prefix: '$token',
        };
      case 'php':
        return {
          lines: [
            '// Log in once: the answer names the session token (/cpsessNNNNNNNNNN) and sets the cookie.',
            `$login = [['user', ${h.q(h.user)}], ['pass', ${h.env('CPANEL_PASSWORD')}]${tfa ? `, ['tfa_token', ${h.otp}]` : ''}];`,
            'curl_setopt_array($ch, [CURLOPT_URL => "$base/login/?login_only=1", CURLOPT_POST => true, CURLOPT_POSTFIELDS => form($login), CURLOPT_HEADER => true]);',
            '$answer = curl_exec($ch);',
            "if (!is_string($answer) || !preg_match('#/cpsess\\d+#', $answer, $m)) { fwrite(STDERR, 'Login failed: ' . curl_error($ch) . \"\\n\"); exit(3); }",
            '$token = $m[0];',
            'curl_setopt_array($ch, [CURLOPT_HEADER => false, CURLOPT_POST => false, CURLOPT_HTTPGET => true]);',
          ],
          prefix: '$token',
        };
      case 'python':
        return {
          lines: [
            '# Log in once: the answer names the session token (/cpsessNNNNNNNNNN) and sets the cookie.',
            `login = session.post(base + "/login/?login_only=1", data={"user": ${h.q(h.user)}, "pass": ${h.env('CPANEL_PASSWORD')}${tfa ? `, "tfa_token": ${h.otp}` : ''}}, allow_redirects=False, timeout=60)`,
            'found = re.search(r"/cpsess\\d+", login.headers.get("Location", "") + login.text)',
            'if not found:',
            '    sys.exit("Login failed: HTTP %d" % login.status_code)',
            'token = found.group(0)',
          ],
          prefix: 'token',
        };
      case 'node':
        return {
          lines: [
            '// Log in once: the answer names the session token (/cpsessNNNNNNNNNN) and sets the cookie.',
            `const login = await request(base + '/login/?login_only=1', { method: 'POST', dispatcher, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams([['user', ${h.q(h.user)}], ['pass', ${h.env('CPANEL_PASSWORD')}]${tfa ? `, ['tfa_token', ${h.otp}]` : ''}]).toString() });`,
            "const found = /\\/cpsess\\d+/.exec(String(login.headers.location ?? '') + (await login.body.text()));",
            'if (!found) { console.error(`Login failed: HTTP ${login.statusCode}`); process.exit(3); }',
            'const token = found[0];',
            "headers.cookie = [].concat(login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');",
          ],
          prefix: 'token',
        };
    }
  },
};
