import * as vscode from 'vscode';

/** Replaces a function of a vscode namespace (window by default) while `body` runs, then puts it back. */
export async function stubbing<T>(
  name: string,
  fake: (...args: never[]) => unknown,
  body: () => Thenable<T> | Promise<T>,
  on: object = vscode.window,
): Promise<T> {
  const w = on as Record<string, unknown>;
  const original = w[name];
  w[name] = fake;
  try {
    return await body();
  } finally {
    w[name] = original;
  }
}
