import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_CREDENTIALS as C } from '../../src/sandbox/accounts';
import { Sandbox } from '../../src/sandbox/server';
import { ARTIFACTS, launchBrowser, startCodeServer } from './codeServer';

/**
 * `npm run demo`: the sandbox server and a real VS Code (code-server) with the extension, three
 * sandbox servers already configured (certificates pinned). Open the printed URL in a browser.
 * With --screenshot it also loads the workbench headless and saves a picture, then exits.
 */
async function main(): Promise<void> {
  // cptest has 2,000 extra mailboxes: Email/list_pops_with_disk shows what the result table does with a long list.
  const sb = await Sandbox.start({ extraMailboxes: 2000 });
  const workspace = join(ARTIFACTS, 'demo-workspace');
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(workspace, 'README.md'), '# Demo workspace\n\nOpen the cPanel view in the activity bar.\n');
  const tls = { mode: 'pinned', fingerprint256: sb.fingerprint256 };
  const servers = [
    {
      id: 'demo-whm',
      label: 'sandbox WHM (root)',
      host: '127.0.0.1',
      service: 'whm',
      secure: true,
      port: sb.port('whm'),
      username: 'root',
      auth: 'token',
      twoFactor: 'none',
      tls,
    },
    {
      id: 'demo-cpanel',
      label: 'sandbox cPanel (cptest, 2FA)',
      host: '127.0.0.1',
      service: 'cpanel',
      secure: true,
      port: sb.port('cpanel'),
      username: 'cptest',
      auth: 'session',
      twoFactor: 'session',
      tls,
    },
    {
      id: 'demo-bob',
      label: 'sandbox cPanel (bob)',
      host: '127.0.0.1',
      service: 'cpanel',
      secure: true,
      port: sb.port('cpanel'),
      username: 'bob',
      auth: 'password',
      twoFactor: 'none',
      tls,
    },
  ];
  const cs = await startCodeServer({
    workspace,
    installExtension: true,
    settings: { 'cpanel.servers': servers, 'workbench.colorTheme': 'Default Dark Modern' },
  });
  const url = `${cs.url}/?folder=${encodeURIComponent(workspace)}`;
  if (process.argv.includes('--screenshot')) {
    const { context, page } = await launchBrowser(cs.runDir);
    await page.goto(url);
    await page.locator('.activitybar a.action-label[aria-label^="cPanel"]').click({ timeout: 60_000 });
    await page.getByRole('treeitem', { name: /sandbox WHM/ }).click();
    // The server opened: its APIs are listed.
    await page.getByRole('treeitem', { name: 'WHM API 1' }).first().waitFor({ timeout: 20_000 });
    const shot = join(ARTIFACTS, 'demo.png');
    await page.screenshot({ path: shot });
    await context.close();
    await cs.stop();
    await sb.stop();
    process.stdout.write(`demo: VS Code with the extension and the sandbox came up; screenshot at ${shot}\n`);
    return;
  }
  process.stdout.write(
    [
      '',
      `VS Code with cPanel API Explorer:  ${url}`,
      '',
      'Open it in a browser, click the cPanel icon in the activity bar, then right-click a server → Set Credentials…',
      `  sandbox WHM (root)            API token    ${C.root.whmToken}`,
      `  sandbox cPanel (cptest, 2FA)  password     ${C.cptest.password}   2FA secret ${C.cptest.tfaSecret}`,
      `  sandbox cPanel (bob)          password     ${C.bob.password}`,
      'Then try cPanel: Send Request… from the command palette (F1): WHM API 1 listaccts, or UAPI Email/list_pops_with_disk as cptest (2,002 mailboxes).',
      '',
      `Sandbox ports: cPanel ${sb.port('cpanel')}, WHM ${sb.port('whm')}, Webmail ${sb.port('webmail')}; certificate ${sb.fingerprint256}`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  const stop = (): void => {
    void Promise.all([cs.stop(), sb.stop()]).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`demo: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
