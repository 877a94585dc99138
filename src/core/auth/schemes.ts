import { totpSecretProblem } from '../otp';
import type { AuthMethod, Secrets } from '../profile';
import { accessHashScheme } from './accessHash';
import { passwordScheme } from './basic';
import type { AuthScheme, SecretSpec } from './scheme';
import { sessionScheme } from './sessionLogin';
import { tokenScheme } from './token';

/**
 * Every authentication method, keyed so that the compiler refuses a method without a scheme: a new
 * method is a new file with an AuthScheme and a row here.
 */
export const AUTH_SCHEMES: { readonly [M in AuthMethod]: AuthScheme } = {
  password: passwordScheme,
  token: tokenScheme,
  accesshash: accessHashScheme,
  session: sessionScheme,
};

/** In the order the wizard offers them: the recommended one first. */
export const AUTH_METHODS: readonly AuthMethod[] = ['token', 'password', 'session', 'accesshash'];

export const SECRET_SPECS: { readonly [K in keyof Secrets]-?: SecretSpec } = {
  password: { name: 'password', title: 'Password', env: 'PASSWORD', prompt: (u) => `The password of ${u}`, problem: () => undefined },
  token: {
    name: 'API token',
    title: 'API token',
    env: 'TOKEN',
    prompt: (u) => `The API token of ${u}`,
    problem: (v) => (/^[A-Za-z0-9]{16,64}$/.test(v.trim()) ? undefined : 'API tokens are 32 letters and digits.'),
  },
  accessHash: {
    name: 'access hash',
    title: 'Access hash',
    env: 'ACCESSHASH',
    prompt: () => 'The access hash from WHM » Remote Access Key (line breaks are removed)',
    problem: () => undefined,
  },
  totpSecret: {
    name: 'two-factor (TOTP) secret',
    title: 'Two-factor secret',
    env: 'TOTP_SECRET',
    prompt: () => 'The base32 TOTP secret shown when 2FA was set up for this account',
    problem: totpSecretProblem,
  },
};

export const SECRET_KINDS = Object.keys(SECRET_SPECS) as (keyof Secrets)[];
