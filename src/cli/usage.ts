/** What `cpapi --help` prints. Kept apart from the commands so that printing it loads nothing else. */
export const CALL_USAGE = `Usage:
  cpapi call API FUNCTION [name=value ...] --host H --service cpanel|whm|webmail [--port P] [--http]
             --user U --auth password|token|accesshash|session [--otp header|session] [--as CPANEL_USER]
             [--post] [--fingerprint SHA256] [--ca FILE] [--timeout SECONDS] [--raw [--unredacted]]
  cpapi run FILE|FOLDER... --servers SERVERS.json [--json] [--timeout SECONDS] [--allow-destructive]

  API: uapi (FUNCTION is Module/function) | whm (a WHM API 1 function) | api2 (Module/function, needs --as)
  --as on a WHM server calls UAPI or API 2 on behalf of that cPanel user.
  Secrets come only from the environment: CPANEL_PASSWORD, CPANEL_TOKEN, CPANEL_ACCESSHASH or
  CPANEL_ACCESSHASH_FILE, CPANEL_TOTP_SECRET.
  stdout: the normalized result as one JSON object {ok, kind, status, data, errors, warnings, messages, metadata};
  --raw prints the server's body instead, with any credential the server echoed back redacted;
  add --unredacted to print it exactly as received. --timeout (1 to 3600 s, default 120) bounds the whole call.
  exit: 0 ok · 1 the API reported failure · 2 usage or config · 3 authentication · 4 TLS, network or timeout · 5 malformed answer

  run: servers come from SERVERS.json (a list of profiles named by label, no secrets); secrets from
  CPANEL_<LABEL>_PASSWORD, _TOKEN, _ACCESSHASH or _ACCESSHASH_FILE, _TOTP_SECRET (label uppercased,
  other characters as _); \${env:NAME} placeholders in snippets from the environment. One line per
  snippet, --json for a report; exit 1 when any snippet fails.
`;

export class UsageError extends Error {}
