import { SANDBOX_CREDENTIALS } from './accounts';
import { Sandbox } from './server';

/** `npm run sandbox`: starts the simulated server and prints how to reach it. */
async function main(): Promise<void> {
  const idle = Number(process.env.SANDBOX_SESSION_IDLE_SECONDS ?? 900);
  const sb = await Sandbox.start({ sessionIdleSeconds: idle });
  const p = sb.ports;
  const c = SANDBOX_CREDENTIALS;
  const lines = [
    'cPanel & WHM sandbox running on 127.0.0.1 (simulated; test credentials only)',
    '',
    `  cPanel   https ${p.cpanel.secure}   http ${p.cpanel.plain}`,
    `  WHM      https ${p.whm.secure}   http ${p.whm.plain}`,
    `  Webmail  https ${p.webmail.secure}   http ${p.webmail.plain}`,
    '',
    `  certificate SHA-256 ${sb.fingerprint256}`,
    `  (self-signed, valid until ${sb.certValidTo}: pin this fingerprint)`,
    '',
    `  root      password ${c.root.password}   WHM token ${c.root.whmToken}`,
    `            access hash: 6 lines (see src/sandbox/accounts.ts)`,
    `  reseller  password ${c.reseller.password}   WHM token ${c.reseller.whmToken}   TOTP secret ${c.reseller.tfaSecret}`,
    `  cptest    password ${c.cptest.password}   cPanel token ${c.cptest.cpanelToken}   TOTP secret ${c.cptest.tfaSecret}`,
    `  bob       password ${c.bob.password}   cPanel token ${c.bob.cpanelToken}`,
    '',
    'Example:',
    `  CPANEL_TOKEN=${c.bob.cpanelToken} node dist/cli.js call uapi Email/list_pops --host 127.0.0.1 --service cpanel --port ${p.cpanel.secure} --user bob --auth token --fingerprint ${sb.fingerprint256}`,
    '',
    'Press Ctrl+C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (process.env.SANDBOX_INFO_JSON) {
    process.stdout.write(`SANDBOX_INFO ${JSON.stringify({ ports: p, fingerprint256: sb.fingerprint256 })}\n`);
  }
  const stop = (): void => {
    void sb.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
