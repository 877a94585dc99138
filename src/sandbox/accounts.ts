/**
 * The sandbox's users and their data. Credentials here are test values printed by `npm run sandbox`;
 * they open nothing but this local simulation.
 */

export interface SandboxUser {
  user: string;
  password: string;
  /** WHM users (root, resellers) may use WHM; everyone else is a cPanel account. */
  whm: boolean;
  /** WHM API tokens (whm) or cPanel API tokens (cpanel accounts). */
  tokens: string[];
  /** Access hash as WHM writes it: wrapped over several lines. */
  accessHash?: string;
  /** Base32 TOTP secret when two-factor authentication is set up. */
  tfaSecret?: string;
  /** WHM functions a reseller may call (root may call all). */
  acl?: string[];
}

export interface SandboxAccount {
  user: string;
  domain: string;
  owner: string;
  plan: string;
  email: string;
  suspended: boolean;
  suspendreason: string;
  startdate: string;
  diskused: string;
  ip: string;
}

export interface MailAccount {
  email: string;
  login: string;
  domain: string;
  suspended_login: 0 | 1;
  diskquota: string;
  _owner: string;
  /** Bytes used (list_pops_with_disk). */
  diskused?: number;
  mtime?: number;
}

export const SANDBOX_CREDENTIALS = {
  root: {
    password: 'sandbox-root-pass',
    whmToken: 'R00TT0KENSANDBOX0000000000000001',
    accessHash: Array.from({ length: 6 }, (_, i) => `${i}a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9`).join('\n') + '\n',
  },
  reseller: {
    user: 'reseller',
    password: 'sandbox-reseller-pass',
    whmToken: 'RESE11ERT0KENSANDBOX000000000002',
    tfaSecret: 'FZ4ZVGTMFTIOF54T',
  },
  cptest: {
    user: 'cptest',
    password: 'sandbox-cptest-pass',
    cpanelToken: 'CPTESTT0KENSANDBOX00000000000003',
    tfaSecret: 'QSARBVKLZHYHLJ3M',
  },
  bob: {
    user: 'bob',
    password: 'sandbox-bob-pass',
    cpanelToken: 'B0BT0KENSANDBOX00000000000000004',
  },
} as const;

/** WHM functions the sandbox answers. */
export const WHM_FUNCTIONS = [
  'version',
  'gethostname',
  'applist',
  'listaccts',
  'accountsummary',
  'createacct',
  'suspendacct',
  'unsuspendacct',
  'removeacct',
  'passwd',
  'listpkgs',
  'create_user_session',
  'uapi_cpanel',
  'cpanel',
] as const;

export function initialUsers(): SandboxUser[] {
  const c = SANDBOX_CREDENTIALS;
  return [
    { user: 'root', password: c.root.password, whm: true, tokens: [c.root.whmToken], accessHash: c.root.accessHash },
    {
      user: c.reseller.user,
      password: c.reseller.password,
      whm: true,
      tokens: [c.reseller.whmToken],
      tfaSecret: c.reseller.tfaSecret,
      acl: ['version', 'gethostname', 'applist', 'listaccts', 'accountsummary', 'suspendacct', 'unsuspendacct', 'create_user_session', 'cpanel', 'uapi_cpanel'],
    },
    { user: c.cptest.user, password: c.cptest.password, whm: false, tokens: [c.cptest.cpanelToken], tfaSecret: c.cptest.tfaSecret },
    { user: c.bob.user, password: c.bob.password, whm: false, tokens: [c.bob.cpanelToken] },
  ];
}

export function initialAccounts(): SandboxAccount[] {
  const base = { plan: 'default', suspended: false, suspendreason: 'not suspended', ip: '127.0.0.1' };
  return [
    { ...base, user: 'cptest', domain: 'cptest.example', owner: 'reseller', email: 'owner@cptest.example', startdate: '24 Jan 15 10:00', diskused: '12M' },
    { ...base, user: 'bob', domain: 'bob.example', owner: 'root', email: 'bob@bob.example', startdate: '23 Mar 02 08:30', diskused: '431M', plan: 'gold' },
  ];
}

export function initialMail(): MailAccount[] {
  const m = (login: string, domain: string, owner: string): MailAccount => ({
    email: `${login}@${domain}`,
    login: `${login}@${domain}`,
    domain,
    suspended_login: 0,
    diskquota: 'unlimited',
    _owner: owner,
  });
  return [m('info', 'cptest.example', 'cptest'), m('sales', 'cptest.example', 'cptest'), m('admin', 'bob.example', 'bob')];
}
