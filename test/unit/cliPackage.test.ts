import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Sandbox } from '../../src/sandbox/server';
import { CREDS, startSandbox } from '../helpers/sandbox';

const ROOT = resolve(__dirname, '../../..');

/** cpapi on its own: the packed tarball installs into a scratch prefix, with nothing to download, and works. */
describe('the cpapi package', () => {
  let sb: Sandbox;
  let prefix: string;
  before(async () => {
    sb = await startSandbox();
    const tarball = execFileSync(process.execPath, [join(ROOT, 'scripts', 'pack-cli.mjs')], { cwd: ROOT, encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop()!;
    prefix = mkdtempSync(join(tmpdir(), 'cpapi-global-'));
    // --offline: the package has no dependencies, so an install that needed the registry would fail here.
    execFileSync('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
  });
  after(async () => {
    await sb.stop();
  });
  // Not spawnSync: the sandbox answers from this very process.
  const cpapi = (args: string[], env: Record<string, string> = {}): Promise<{ status: number; stdout: string; stderr: string }> =>
    new Promise((done) =>
      execFile(
        join(prefix, 'bin', 'cpapi'),
        args,
        { env: { PATH: `${resolve(process.execPath, '..')}:${process.env.PATH ?? ''}`, ...env }, timeout: 30_000 },
        (err, stdout, stderr) => done({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );

  it('cpapi --help runs from the installed package', async () => {
    const r = await cpapi(['--help']);
    assert.equal(r.status, 0, String(r.stderr));
    assert.match(String(r.stdout), /cpapi call API FUNCTION/);
  });

  it('and makes a call against the sandbox, with the catalog it ships', async () => {
    // An unknown WHM function: the hint looks the name up in the catalog the package ships.
    const r = await cpapi(
      [
        'call',
        'whm',
        'listacctz',
        '--host',
        '127.0.0.1',
        '--service',
        'whm',
        '--http',
        '--port',
        String(sb.port('whm', false)),
        '--user',
        'root',
        '--auth',
        'token',
      ],
      { CPANEL_TOKEN: CREDS.root.whmToken },
    );
    assert.equal((JSON.parse(r.stdout) as { kind: string }).kind, 'api_error', r.stderr);
    assert.match(r.stderr, /check the spelling/);
    const v = await cpapi(
      [
        'call',
        'whm',
        'version',
        '--host',
        '127.0.0.1',
        '--service',
        'whm',
        '--http',
        '--port',
        String(sb.port('whm', false)),
        '--user',
        'root',
        '--auth',
        'token',
      ],
      { CPANEL_TOKEN: CREDS.root.whmToken },
    );
    assert.equal(v.status, 0, String(v.stderr));
    assert.match(String(v.stdout), /"version": "11\.138/);
  });

  it('cpapi mcp runs from the installed package (its MCP SDK bundle is shipped) and lists a server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpapi-global-mcp-'));
    const servers = [
      { label: 'w', host: '127.0.0.1', service: 'whm', secure: false, port: sb.port('whm', false), username: 'root', auth: 'token' },
    ];
    writeFileSync(join(dir, 'servers.json'), JSON.stringify(servers));
    const transport = new StdioClientTransport({
      command: join(prefix, 'bin', 'cpapi'),
      args: ['mcp', '--servers', join(dir, 'servers.json')],
      env: { PATH: `${resolve(process.execPath, '..')}:${process.env.PATH ?? ''}`, CPANEL_W_TOKEN: CREDS.root.whmToken },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'package-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const r = (await client.callTool({ name: 'cpanel_list_servers', arguments: {} })) as { content: { text: string }[] };
      assert.match(r.content[0]!.text, /"label": ?"w"/);
    } finally {
      await client.close();
    }
  });
});
