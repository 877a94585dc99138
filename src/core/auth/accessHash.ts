import { headerCredential, type AuthScheme } from './scheme';

/**
 * Access hash (deprecated by cPanel, still served): "WHM USER:HASH". The hash file WHM writes is
 * wrapped over many lines; every CR and LF must go before it is sent.
 */
export function accessHashAuthorization(user: string, hash: string): string {
  return `WHM ${user}:${cleanAccessHash(hash)}`;
}

export function cleanAccessHash(hash: string): string {
  return hash.replace(/[\r\n\s]+/g, '');
}

export const accessHashScheme: AuthScheme = {
  name: 'access hash',
  detail: () => 'Deprecated by cPanel; WHM only',
  secret: 'accessHash',
  serviceProblem: (service) =>
    service === 'whm' ? undefined : 'Access hash authentication works only with WHM: choose the WHM service or another method.',
  authorization: (p, hash) => accessHashAuthorization(p.username, hash),
  twoFactor: ['header'],
  secretForms: (p, hash) => [hash, cleanAccessHash(hash), ...headerCredential(accessHashAuthorization(p.username, hash))],
  refusedHint: (p, status) =>
    `The server refused the access hash for ${p.username} (HTTP ${status}). Copy it again from WHM's Remote Access Key page; access hashes work only for WHM.`,
  codegen(h) {
    const prefix = `WHM ${h.user}:`;
    switch (h.language) {
      case 'curl':
        return {
          lines: [
            '# The access hash file is wrapped over many lines: every line break goes.',
            `hash=$(printf '%s' ${h.env('CPANEL_ACCESSHASH')} | tr -d '\\r\\n')`,
          ],
          curlArgs: [`  --header ${h.q(`Authorization: ${prefix}`)}"$hash"`],
        };
      case 'perl':
        return {
          lines: [
            `(my $hash = ${h.env('CPANEL_ACCESSHASH')}) =~ s/[\\r\\n]//g;   # the hash file is wrapped over many lines`,
            `$ua->default_header(Authorization => ${h.q(prefix)} . $hash);`,
          ],
        };
      case 'php':
        return {
          lines: [`$headers[] = ${h.q(`Authorization: ${prefix}`)} . str_replace(["\\r", "\\n"], '', ${h.env('CPANEL_ACCESSHASH')});`],
        };
      case 'python':
        return { lines: [`headers["Authorization"] = ${h.q(prefix)} + re.sub(r"[\\r\\n]", "", ${h.env('CPANEL_ACCESSHASH')})`] };
      case 'node':
        return { lines: [`headers.authorization = ${h.q(prefix)} + ${h.env('CPANEL_ACCESSHASH')}.replace(/[\\r\\n]/g, '');`] };
    }
  },
};
