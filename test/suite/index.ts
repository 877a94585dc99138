import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

/** Entry point VS Code calls in the extension host: runs every *.test.js beside this file. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  // SUITE=data runs only data.test.js, SUITE=extension,fleet those two (in the usual order); the full run takes every file.
  const only = process.env.SUITE?.split(',').map((n) => `${n.trim()}.test.js`);
  for (const f of readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js') && (!only || only.includes(f)))
    .sort())
    mocha.addFile(join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      // A plain closing line that CI can read whatever the reporter prints.
      const total = mocha.suite.total();
      console.log(`extension-host: ${total - failures} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
      else resolve();
    });
  });
}
