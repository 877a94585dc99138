// Packs cpapi on its own: an npm package of the CLI's bundles and the function catalog, with no
// dependencies to fetch (esbuild bundled them), installable with `npm install -g cpanel-api-cli-X.tgz`.
// Run after `npm run build`; writes dist/cli-package/ and the tarball beside it, and prints the tarball's path.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const extension = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = join(root, 'dist', 'cli-package');
const bundles = ['cli.js', 'cpapi.js', 'undici.js', 'otplib.js', 'jmespath.js', 'jmespathWorker.js', 'mcpsdk.js'];
for (const b of bundles) if (!existsSync(join(root, 'dist', b))) throw new Error(`dist/${b} is missing: run npm run build first.`);

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'resources'), { recursive: true });
for (const b of bundles) copyFileSync(join(root, 'dist', b), join(out, b));
copyFileSync(join(root, 'resources', 'cpanel-api-catalog-v138.json'), join(out, 'resources', 'cpanel-api-catalog-v138.json'));
copyFileSync(join(root, 'LICENSE'), join(out, 'LICENSE'));
writeFileSync(
  join(out, 'README.md'),
  "# cpapi\n\nThe command line of cPanel API Explorer: calls, snippets, fan-outs and data runs against cPanel & WHM APIs, with every authentication method cPanel documents. `cpapi --help` lists the commands; the extension's README has the whole story.\n",
);
const pkg = {
  name: 'cpanel-api-cli',
  version: extension.version,
  description:
    'cpapi: call cPanel & WHM APIs (UAPI, WHM API 1, cPanel API 2) from a terminal or CI, with tokens, passwords, sessions and two-factor authentication.',
  license: extension.license,
  bin: { cpapi: 'cli.js' },
  files: [...bundles, 'resources/', 'README.md', 'LICENSE'],
  engines: { node: extension.engines.node },
  keywords: extension.keywords,
  repository: extension.repository,
  bugs: extension.bugs,
};
writeFileSync(join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', join(root, 'dist')], { cwd: out, encoding: 'utf8' })
  .trim()
  .split('\n')
  .pop();
console.log(join(root, 'dist', name));
