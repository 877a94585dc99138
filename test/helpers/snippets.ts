import type { Snippet } from '../../src/core/snippets';

/**
 * The snippet the data-run tests share: a mailbox of cptest for each row, from its email and password
 * columns (and one more column sent as the parameter of that name, when given), through `server`.
 */
export function addMailboxSnippet(server: string, more?: string): Snippet {
  return {
    version: 1,
    server,
    family: 'uapi',
    function: 'Email/add_pop',
    account: 'cptest',
    method: 'POST',
    params: [
      { name: 'email', value: '${row.email}' },
      { name: 'password', value: '${row.password}' },
      ...(more ? [{ name: more, value: `\${row.${more}}` }] : []),
    ],
  };
}
