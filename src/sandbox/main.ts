import { SANDBOX_CREDENTIALS } from './accounts';
import { Sandbox } from './server';

/**
 * A simulated fleet for the benchmark: SANDBOX_FLEET=N WHM servers (HTTPS only, one certificate)
 * in this process, SANDBOX_LATENCY_MS per answer, SANDBOX_ACCOUNTS more accounts on the first. It
 * prints their ports, then answers "stats" on stdin with each server's connections and requests.
 */
async function fleet(n: number): Promise<void> {
  const certificate = await Sandbox.certificate();
  const latencyMs = Number(process.env.SANDBOX_LATENCY_MS ?? 0);
  const servers: Sandbox[] = [];
  for (let i = 0; i < n; i++) {
    servers.push(
      await Sandbox.start({
        listeners: [{ service: 'whm', secure: true }],
        certificate,
        latencyMs,
        extraAccounts: i === 0 ? Number(process.env.SANDBOX_ACCOUNTS ?? 0) : 0,
      }),
    );
  }
  process.stdout.write(
    `SANDBOX_FLEET ${JSON.stringify({ ports: servers.map((s) => s.port('whm')), fingerprint256: certificate.fingerprint256 })}\n`,
  );
  let buffered = '';
  process.stdin.on('data', (d: Buffer) => {
    buffered += d.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line === 'stats') {
        const stats = servers.map((s) => ({
          connections: s.connectionStats().accepted,
          requests: s.requests('/json-api/').length,
          logins: s.requests('/login').length,
        }));
        process.stdout.write(`SANDBOX_STATS ${JSON.stringify(stats)}\n`);
      } else if (line === 'reset') {
        for (const s of servers) {
          s.clearLog();
          s.resetConnectionStats();
        }
        process.stdout.write('SANDBOX_RESET\n');
      }
    }
  });
  process.stdin.on('end', () => void Promise.all(servers.map((s) => s.stop())).then(() => process.exit(0)));
}

/** `npm run sandbox`: starts the simulated server and prints how to reach it. */
async function main(): Promise<void> {
  if (process.env.SANDBOX_FLEET) return fleet(Number(process.env.SANDBOX_FLEET));
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
