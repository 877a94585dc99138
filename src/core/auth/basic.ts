import { headerCredential, type AuthScheme } from './scheme';

/** Username and password: HTTP Basic. Buffer's base64 never wraps lines, so no CR/LF can slip in. */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export const passwordScheme: AuthScheme = {
  name: 'password',
  detail: () => 'HTTP Basic on every request',
  secret: 'password',
  serviceProblem: () => undefined,
  authorization: (p, password) => basicAuthorization(p.username, password),
  twoFactor: ['header'],
  secretForms: (p, password) => [password, ...headerCredential(basicAuthorization(p.username, password))],
  refusedHint: (p, status) =>
    `The server refused the username or password for ${p.username} (HTTP ${status}). Check them; repeated failures can get this IP blocked by cPHulk for a while.`,
  codegen(h) {
    switch (h.language) {
      case 'curl':
        return { lines: [], curlArgs: [`  --user ${h.q(`${h.user}:`)}${h.env('CPANEL_PASSWORD')}`] };
      case 'perl':
        return {
          lines: [
            `$ua->default_header(Authorization => 'Basic ' . MIME::Base64::encode_base64(${h.q(`${h.user}:`)} . ${h.env('CPANEL_PASSWORD')}, ''));`,
          ],
        };
      case 'php':
        return { lines: [`$headers[] = 'Authorization: Basic ' . base64_encode(${h.q(`${h.user}:`)} . ${h.env('CPANEL_PASSWORD')});`] };
      case 'python':
        return { lines: [`session.auth = (${h.q(h.user)}, ${h.env('CPANEL_PASSWORD')})`] };
      case 'node':
        return {
          lines: [`headers.authorization = 'Basic ' + Buffer.from(${h.q(`${h.user}:`)} + ${h.env('CPANEL_PASSWORD')}).toString('base64');`],
        };
    }
  },
};
