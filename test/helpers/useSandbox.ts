import { after, before } from 'node:test';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/server';
import { closeAll, startSandbox } from './sandbox';

/**
 * A sandbox for the tests of the describe() this is called in: started before them, stopped after them
 * with the clients they made. Read `.sb` inside a test or hook.
 */
export function useSandbox(options: SandboxOptions = {}): { readonly sb: Sandbox } {
  let sb: Sandbox | undefined;
  before(async () => {
    sb = await startSandbox(options);
  });
  after(async () => {
    await closeAll();
    await sb?.stop();
  });
  return {
    get sb(): Sandbox {
      if (!sb) throw new Error('the sandbox is not started yet: read .sb inside a test or hook');
      return sb;
    },
  };
}
