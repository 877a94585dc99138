import type { Service } from '../../shared/families';
import type { Language } from '../languages';
import type { HttpRequest, HttpResponse } from '../http';
import type { TotpSource } from '../otp';
import type { Secrets, ServerProfile, TwoFactorMode } from '../profile';
import type { Redactor } from '../redact';
import type { Session } from './session';
import type { TwoFactorWay } from './twoFactor';

/** What a scheme's session opener is given: how to send, who signs in, with which secret and 2FA code source. */
export interface SessionOpening {
  send(req: HttpRequest): Promise<HttpResponse>;
  profile: Pick<ServerProfile, 'username' | 'twoFactor'>;
  secret: string;
  totp: TotpSource | undefined;
  redactor: Redactor;
  signal?: AbortSignal;
}

/** What a generated program's auth code may use: quoting and environment reads in its language. */
export interface CodegenHelpers {
  language: Language;
  /** A literal string in the target language, quoted so that nothing in it is interpreted. */
  q(s: string): string;
  /** An expression that reads an environment variable (the program stops when it is not set). */
  env(name: string): string;
  /** An expression that computes the current TOTP code from CPANEL_TOTP_SECRET. */
  otp: string;
  user: string;
  service: Service;
  twoFactor: TwoFactorMode;
  /** The server's base URL ("https://host:2087"), not quoted. */
  url: string;
  /** curl only: the TLS options (--cacert …), with a leading space, or "". */
  curlTls: string;
}

/** A scheme's part of a generated program. */
export interface AuthFragment {
  /** Statements before the call (headers, a login). */
  lines: string[];
  /** An expression for what goes before the path ("" or the session token variable). */
  prefix?: string;
  /** curl only: options added to the call. */
  curlArgs?: string[];
}

/** One authentication method cPanel documents, everything about it in one shape. */
export interface AuthScheme {
  /** As a person reads it: "API token". */
  name: string;
  /** For the wizard's pick list. */
  detail(service: Service): string;
  /** The secret it needs from storage or the environment. */
  secret: Exclude<keyof Secrets, 'totpSecret'>;
  /** Why it cannot be used with this service, or undefined. */
  serviceProblem(service: Service): string | undefined;
  /** The Authorization header, or undefined when the scheme authenticates otherwise (a session cookie). */
  authorization(profile: Pick<ServerProfile, 'service' | 'username'>, secret: string): string | undefined;
  /** The ways a two-factor code goes with it: a header on every request, or once at session login. */
  twoFactor: readonly TwoFactorWay[];
  /**
   * Every form of the secret that can appear in what is sent (the Basic value is the password encoded,
   * an access hash is sent without its line breaks): the redactor learns them all.
   */
  secretForms(profile: Pick<ServerProfile, 'service' | 'username'>, secret: string): string[];
  /** Schemes that sign in once and then send a session (session login): how the session opens. */
  openSession?(ctx: SessionOpening): Promise<Session>;
  /** What the server said no to, when it answers 401/403 to a call. */
  refusedHint(profile: Pick<ServerProfile, 'service' | 'username'>, status: number): string;
  /** Its code in each generated language. */
  codegen(h: CodegenHelpers): AuthFragment;
}

/** What a person is asked for, and what the CLI reads, for each secret. */
export interface SecretSpec {
  /** "API token", as a sentence names it. */
  name: string;
  /** "API token", as a prompt's title names it. */
  title: string;
  /** CPANEL_<ENV>, or CPANEL_<LABEL>_<ENV> for cpapi run. */
  env: string;
  prompt(user: string): string;
  /** Why a typed value cannot be right, or undefined. */
  problem(value: string): string | undefined;
}

/** The credential part of an Authorization header ("Basic xyz" → "xyz"): a secret of its own. */
export function headerCredential(header: string | undefined): string[] {
  return header ? [header.slice(header.indexOf(' ') + 1)] : [];
}
