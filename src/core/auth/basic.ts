/** Username and password: HTTP Basic. Buffer's base64 never wraps lines, so no CR/LF can slip in. */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
