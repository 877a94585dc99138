import type { TwoFactorMode } from '../profile';

/**
 * The two ways cPanel takes a two-factor code, as every form, message and request names them: one
 * table, so the wizard, the checks of a profile and the client cannot disagree.
 */

/** The header that carries a fresh TOTP code on every request (header mode). */
export const OTP_HEADER = 'X-CPANEL-OTP';

export type TwoFactorWay = Exclude<TwoFactorMode, 'none'>;

export const TWO_FACTOR: { readonly [M in TwoFactorWay]: { label: string; detail: string; short: string } } = {
  header: {
    label: 'Code on every request',
    detail: `A fresh TOTP code in ${OTP_HEADER} (needs WHM » Security Policies » API requests)`,
    short: '2FA code on every request',
  },
  session: { label: 'Code once at login', detail: 'The TOTP code goes in tfa_token when the session opens', short: '2FA code at login' },
};

export const NO_TWO_FACTOR = 'No two-factor authentication';
