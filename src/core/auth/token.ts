import type { Service } from '../../shared/families';
import { headerCredential, type AuthScheme } from './scheme';

/**
 * API tokens: "cpanel USER:TOKEN" on cPanel ports, "whm USER:TOKEN" on WHM ports. cPanel's own
 * examples write "WHM"; servers read the scheme case-insensitively, and we send it lowercase.
 */
export function tokenAuthorization(service: Service, user: string, token: string): string {
  return `${tokenWord(service)} ${user}:${token.trim()}`;
}

function tokenWord(service: Service): string {
  return service === 'whm' ? 'whm' : 'cpanel';
}

export const tokenScheme: AuthScheme = {
  name: 'API token',
  detail: (service) =>
    service === 'whm'
      ? 'Authorization: whm USER:TOKEN (made in WHM » Manage API Tokens)'
      : 'Authorization: cpanel USER:TOKEN (made in cPanel » Manage API Tokens)',
  secret: 'token',
  serviceProblem: (service) =>
    service === 'webmail' ? 'Webmail does not accept API tokens: use a password or a session login.' : undefined,
  authorization: (p, token) => tokenAuthorization(p.service, p.username, token),
  twoFactor: ['header'],
  secretForms: (p, token) => [token, token.trim(), ...headerCredential(tokenAuthorization(p.service, p.username, token))],
  refusedHint: (p, status) =>
    `The server refused the API token for ${p.username} (HTTP ${status}). It may be revoked or expired, limited to other IP addresses, or made for ${p.service === 'whm' ? 'cPanel rather than WHM' : 'WHM rather than cPanel'}.`,
  codegen(h) {
    const prefix = `${tokenWord(h.service)} ${h.user}:`;
    switch (h.language) {
      case 'curl':
        return { lines: [], curlArgs: [`  --header ${h.q(`Authorization: ${prefix}`)}${h.env('CPANEL_TOKEN')}`] };
      case 'perl':
        return { lines: [`$ua->default_header(Authorization => ${h.q(prefix)} . ${h.env('CPANEL_TOKEN')});`] };
      case 'php':
        return { lines: [`$headers[] = ${h.q(`Authorization: ${prefix}`)} . ${h.env('CPANEL_TOKEN')};`] };
      case 'python':
        return { lines: [`headers["Authorization"] = ${h.q(prefix)} + ${h.env('CPANEL_TOKEN')}`] };
      case 'node':
        return { lines: [`headers.authorization = ${h.q(prefix)} + ${h.env('CPANEL_TOKEN')};`] };
    }
  },
};
