/** What `cpapi --help` prints. Kept apart from the commands so that printing it loads nothing else. */
export const CALL_USAGE = `Usage:
  cpapi call API FUNCTION [name=value ...] --host H --service cpanel|whm|webmail [--port P] [--http]
             --user U --auth password|token|accesshash|session [--otp header|session] [--as CPANEL_USER]
             [--post | --get] [--json-body JSON|@FILE] [--fingerprint SHA256] [--ca FILE] [--timeout SECONDS]
             [--raw [--unredacted] | --query EXPR]
  cpapi run FILE|FOLDER... --servers SERVERS.json [--env NAME [--environments FILE]] [--allow-env NAME]...
             [--workspace DIR] [--group G]... [--reporter junit|tap|json [--output FILE]] [--json] [--timeout SECONDS]
             [--allow-destructive]
  cpapi run SNIPPET --data FILE --servers SERVERS.json [--concurrency N] [--results OUT.jsonl [--results-data]]
             [--resume OUT.jsonl] [--dry-run] [--allow-destructive ROWS] [--allow-env NAME]... [--env NAME] [--timeout SECONDS]
  cpapi import TEXT|@FILE [--servers SERVERS.json] [--server LABEL]
  cpapi fanout API FUNCTION [name=value ...] --servers SERVERS.json [--group G]... [--label L]...
             [--accounts] [--concurrency N] [--jsonl] [--timeout SECONDS] [--allow-destructive]
  cpapi mcp --servers SERVERS.json [--group G]... [--allow-changes [--allow-destructive]] [--max-answer-kb N]
             [--allow-env NAME]...

  API: uapi (FUNCTION is Module/function) | whm (a WHM API 1 function) | api2 (Module/function, needs --as)
  --as on a WHM server calls UAPI or API 2 on behalf of that cPanel user.
  --json-body sends that JSON (or FILE's) as the body, Content-Type: application/json (POST); with
  --post, name=@PATH uploads the file at PATH under name as multipart/form-data, other pairs as fields.
  A call with a secret parameter (password, token, passphrase…) is sent as a POST with its values in
  the body, never in the URL (cPanel writes query strings to its access log); --get sends it in the
  URL anyway, with a warning.
  Secrets come only from the environment: CPANEL_PASSWORD, CPANEL_TOKEN, CPANEL_ACCESSHASH or
  CPANEL_ACCESSHASH_FILE, CPANEL_TOTP_SECRET.
  stdout: the normalized result as one JSON object {ok, kind, status, data, errors, warnings, messages, metadata};
  --raw prints the server's body instead, with any credential the server echoed back redacted;
  add --unredacted to print it exactly as received. Printed to a terminal, control characters in it
  (ESC, C1, CR: as in everything cpapi prints from a server or a file) are shown escaped, like \\u001b;
  piped, --raw is byte-exact. --query EXPR prints what the JMESPath expression EXPR picks from the
  normalized answer (e.g. --query "data[].email"); an expression may take 2 s and give 8 MiB of JSON,
  more is an error (exit 2). --timeout (1 to 3600 s, default 120) bounds the whole call.
  exit: 0 ok · 1 the API reported failure · 2 usage or config · 3 authentication · 4 TLS, network or timeout · 5 malformed answer

  run: servers come from SERVERS.json (a list of profiles named by label, no secrets); secrets from
  CPANEL_<LABEL>_PASSWORD, _TOKEN, _ACCESSHASH or _ACCESSHASH_FILE, _TOTP_SECRET (label uppercased,
  other characters as _); \${env:NAME} placeholders in snippets (and in environments) from the
  environment, but only CPANEL_* names and those given with --allow-env NAME (repeatable; MYAPP_* allows
  a prefix): any other name stops the run (exit 2) before anything is sent. Values read from the
  environment are redacted wherever they would be printed. body.files paths are relative to the
  snippet's workspace: --workspace DIR, else the nearest folder above the snippet with .vscode or .git,
  else the snippet's folder; a path or link that leads outside it, or is not a regular file, is refused
  and nothing is sent. Files run in name order; a snippet's "capture" values are \${name} variables
  for the snippets after it, and --env NAME adds the variables of that environment (from --environments
  FILE, by default .vscode/cpanel/environments.json; a {"secret": true} variable comes from
  CPANEL_ENV_<ENV>_<NAME>).
  A snippet passes when every item of its "expect" holds (without one, when the call succeeds).
  One line per snippet and a summary; --reporter junit|tap|json prints a report instead, or writes it
  to --output FILE beside the lines (--json is --reporter json). --group G runs each snippet on every
  server of group G instead of its own. Exit 1 when any snippet fails.

  run --data: the snippet once per row of FILE (CSV with a header line, a JSON array of objects, or
  JSON Lines), \${row.COLUMN} filled from the row (a column named by letters, digits, _ . -). A
  \${row.X} that is not a column stops the run (exit 2) before anything is sent. Every row is built
  first; --concurrency rows at once (default 4, at most 64). A line per row as it finishes (so not
  always in row order): row number, verdict, time and the row's first columns, then a summary.
  --results OUT.jsonl writes a line per row {row, ok, kind, status, errors, timeMs} (--results-data
  adds the answer's data); --resume OUT.jsonl sends only the rows that did not succeed in it (the same
  file may be named by both). --dry-run prints each request (method, URL, body, secrets redacted) and
  sends nothing. A destructive snippet needs --allow-destructive ROWS, the number of rows it sends.
  Row values are data, not secrets, except in secret-named columns (password…): those are sent in a
  POST body and redacted. A credential the server refused is not tried again by the rows after it.
  Exit 0 when every row succeeded, 1 when any failed.

  import: reads a curl command line (cPanel's docs, a browser's "Copy as cURL", Copy as curl), a cPanel
  or WHM URL (with /cpsess…/, json-api/…?api.version=1, json-api/cpanel?cpanel_jsonapi_…, uapi_cpanel)
  or a uapi, whmapi1 or cpapi2 command line, and prints it as a snippet; nothing is sent or run.
  --servers names the servers it may match (by host and port; --server LABEL chooses one). Secrets in
  the text (Authorization, cookies, cpsess tokens, secret parameters) never reach the snippet: secret
  parameters become \${env:CPANEL_PARAM_NAME}; stderr says what was left out.

  fanout: one call to every server of SERVERS.json (or those of --group and --label), or with
  --accounts to every account of those WHM servers, --concurrency at once (default 8, at most 64).
  A line per target as it finishes and a summary; --jsonl prints one JSON object per target
  {server, account, ok, kind, status, data, errors, timeMs} instead (the summary goes to stderr).
  Destructive functions need --allow-destructive. Exit 0 when every target succeeded, 1 when any failed.

  mcp: an MCP server on stdin/stdout for agents (Claude, Cursor, VS Code), with the tools
  cpanel_list_servers, cpanel_search_functions, cpanel_describe_function and cpanel_call, for the
  servers of SERVERS.json (or of --group), secrets as for run. Read-only unless --allow-changes;
  destructive calls need --allow-destructive too. A secret parameter's value must be \${env:NAME}
  (CPANEL_* or a name given with --allow-env), never a literal. Answers are cut to --max-answer-kb
  (default 16). Logs go to stderr.
`;

export class UsageError extends Error {}
