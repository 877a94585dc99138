import { randomBytes } from 'node:crypto';

export interface WebviewHtmlInput {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
  /** The page's title. */
  title: string;
}

/** A fresh nonce for each render: 128 random bits. */
export function makeNonce(): string {
  return randomBytes(16)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
}

/**
 * A webview page (the request builder, a result view): local resources only, one nonce'd script, no inline code, no network
 * (default-src 'none' and no connect-src). Everything else is built by the script as DOM nodes.
 */
export function webviewHtml(i: WebviewHtmlInput): string {
  const csp = [
    "default-src 'none'",
    `style-src ${i.cspSource}`,
    `font-src ${i.cspSource}`,
    `img-src ${i.cspSource}`,
    `script-src 'nonce-${i.nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(i.codiconUri)}">
<link rel="stylesheet" href="${attr(i.styleUri)}">
<title>${attr(i.title)}</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="loading">Loading…</p></main>
<script nonce="${i.nonce}" src="${attr(i.scriptUri)}"></script>
</body>
</html>
`;
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
