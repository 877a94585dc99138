import type { Service } from '../servers';

/**
 * API tokens: "cpanel USER:TOKEN" on cPanel ports, "whm USER:TOKEN" on WHM ports. cPanel's own
 * examples write "WHM"; servers read the scheme case-insensitively, and we send it lowercase.
 */
export function tokenAuthorization(service: Service, user: string, token: string): string {
  return `${service === 'whm' ? 'whm' : 'cpanel'} ${user}:${token.trim()}`;
}
