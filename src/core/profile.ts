import type { Service } from '../shared/families';

/** A server profile and its secrets, as types only: what the auth schemes, the client and every form share. */

export type AuthMethod = 'password' | 'token' | 'accesshash' | 'session';
/** none; a fresh code in X-CPANEL-OTP on every request; or one code at session login (tfa_token). */
export type TwoFactorMode = 'none' | 'header' | 'session';

export type TlsPolicy = { mode: 'system' } | { mode: 'pinned'; fingerprint256: string } | { mode: 'ca'; caFile: string };

export interface ServerProfile {
  id: string;
  label: string;
  host: string;
  service: Service;
  secure: boolean;
  port: number;
  username: string;
  auth: AuthMethod;
  twoFactor: TwoFactorMode;
  tls: TlsPolicy;
  /** Tags for working with many servers at once ("eu", "shared-hosting"): a fan-out goes to a group. */
  groups?: string[];
}

/** What SecretStorage (or the environment, for cpapi) holds for a profile; never in settings or files. */
export interface Secrets {
  password?: string;
  token?: string;
  accessHash?: string;
  totpSecret?: string;
}
