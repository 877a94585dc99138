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
