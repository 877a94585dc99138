import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** A real VS Code (code-server) for end-to-end and extension-host tests, and for the demo. */

export const ROOT = resolve(__dirname, '../../..');
export const CODE_SERVER_VERSION = '4.139.1';
export const CODE_SERVER_HOME = join(ROOT, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
export const ARTIFACTS = join(ROOT, '.test-artifacts');

export function codeServerEntry(): string {
  const entry = join(CODE_SERVER_HOME, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(entry)) throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed: run "bash scripts/setup.sh" first.`);
  return entry;
}

export function chromiumPath(): string {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (p && existsSync(p)) return p;
  throw new Error('Chromium is not installed: run "bash scripts/setup.sh" first (it installs Debian\'s chromium).');
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

export interface CodeServerOptions {
  /** The folder VS Code opens. */
  workspace: string;
  /** Install the built extension (an unpacked copy of the repository's package). */
  installExtension?: boolean;
  /** User settings merged over the quiet defaults. */
  settings?: Record<string, unknown>;
  /** For extension-host tests: lets the page run the test payload. */
  smokeTestDriver?: boolean;
  /** Where this run keeps its data (default: a new folder under .test-artifacts/runs). */
  runDir?: string;
  /** Keep code-server's output here for a failing run. */
  logFile?: string;
  /** Leave workspace trust on, so that an unknown folder opens in Restricted Mode. */
  workspaceTrust?: boolean;
  /** More packaged extensions to install (the benchmark's empty extension). */
  extraVsix?: string[];
}

export interface RunningCodeServer {
  url: string;
  port: number;
  runDir: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
  'workbench.enableExperiments': false,
  'git.enabled': false,
};

export const VSIX = join(ROOT, 'dist', 'cpanel-api-explorer.vsix');

/** Installs the packaged extension (npm run package) the way a user would: code-server --install-extension. */
export function installVsix(entry: string, dataDir: string, extensionsDir: string, vsix = VSIX): void {
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run "npm run package" first.`);
  const r = spawnSync(
    process.execPath,
    [entry, '--user-data-dir', dataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0 || !/successfully installed/i.test(`${r.stdout}${r.stderr}`)) {
    throw new Error(`code-server could not install ${vsix}:\n${r.stdout}${r.stderr}`);
  }
}

export async function startCodeServer(opts: CodeServerOptions): Promise<RunningCodeServer> {
  const entry = codeServerEntry();
  mkdirSync(join(ARTIFACTS, 'runs'), { recursive: true });
  const runDir = opts.runDir ?? mkdtempSync(join(ARTIFACTS, 'runs', 'cs-'));
  const dataDir = join(runDir, 'data');
  const extDir = join(runDir, 'extensions');
  mkdirSync(join(dataDir, 'User'), { recursive: true });
  mkdirSync(extDir, { recursive: true });
  writeFileSync(join(dataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...opts.settings }, null, 2));
  if (opts.installExtension) installVsix(entry, dataDir, extDir);
  for (const vsix of opts.extraVsix ?? []) installVsix(entry, dataDir, extDir, vsix);
  const port = await freePort();
  const args = [
    entry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--user-data-dir',
    dataDir,
    '--extensions-dir',
    extDir,
    ...(opts.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    opts.workspace,
  ];
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: join(runDir, 'xdg-config'),
    XDG_DATA_HOME: join(runDir, 'xdg-data'),
    XDG_CACHE_HOME: join(runDir, 'xdg-cache'),
    VSCODE_CLI: '',
  };
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${out.slice(-2000)}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`code-server did not start within 60 s:\n${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port,
    runDir,
    process: child,
    output: () => out,
    stop: async () => {
      if (opts.logFile) writeFileSync(opts.logFile, out);
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

export async function launchBrowser(
  runDir: string,
  viewport = { width: 1400, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(join(runDir, 'chromium'), {
    executablePath: chromiumPath(),
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}
