/**
 * The sandbox's users and their data. Credentials here are test values printed by `npm run sandbox`;
 * they open nothing but this local simulation.
 */

export interface SandboxUser {
  user: string;
  password: string;
  /** WHM users (root, resellers) may use WHM; everyone else is a cPanel account. */
  whm: boolean;
  /** Full-access token values with no record (kept for tests that add one by hand). */
  tokens: string[];
  /** API tokens with their records, as api_token_list (WHM) or Tokens/list (cPanel) shows them. */
  apiTokens?: SandboxToken[];
  /** Access hash as WHM writes it: wrapped over several lines. */
  accessHash?: string;
  /** Base32 TOTP secret when two-factor authentication is set up. */
  tfaSecret?: string;
  /** WHM functions a reseller may call (root may call all). */
  acl?: string[];
  /** The WHM privileges (ACL names) a reseller has, as myprivs reports them; root has "all". */
  privs?: string[];
}

/** An API token as the server keeps it. */
export interface SandboxToken {
  name: string;
  value: string;
  /** WHM: "all" or the privileges the token has. cPanel tokens reach what the account reaches ("all"). */
  acls: 'all' | string[];
  /** Unix seconds; absent (or 0) never expires. An expired token is kept, and refused. */
  expiresAt?: number;
  /** Addresses or CIDR ranges the token may be used from; absent or empty: any. */
  whitelistIps?: string[];
  /** Unix seconds. */
  createTime: number;
  /** Unix seconds of the last call made with it. */
  lastUsed?: number;
  /** cPanel: a token that may only read (Tokens/create_full_access readonly=1). */
  readonly?: boolean;
}

/**
 * The sandbox's WHM privileges and the functions each grants (the simulated server's own table: the
 * extension never reads it, it finds out by trying). Functions in no list need "all".
 */
export const WHM_ACLS: Readonly<Record<string, readonly string[]>> = {
  'basic-whm-functions': ['gethostname'],
  'list-accts': ['listaccts'],
  'acct-summary': ['accountsummary'],
  'create-acct': ['createacct'],
  'suspend-acct': ['suspendacct', 'unsuspendacct'],
  'kill-acct': ['removeacct'],
  passwd: ['passwd'],
  'list-pkgs': ['listpkgs'],
  'create-user-session': ['create_user_session'],
  'cpanel-api': ['cpanel', 'uapi_cpanel'],
  'manage-api-tokens': ['api_token_create', 'api_token_list', 'api_token_update', 'api_token_revoke', 'api_token_get_details'],
  'edit-dns': [],
  'kill-dns': [],
  'create-dns': [],
  'edit-account': [],
  'add-pkg': [],
  'edit-pkg': [],
  ssl: [],
  restart: [],
  'show-bandwidth': [],
  'limit-bandwidth': [],
  quota: [],
  status: [],
};

/** What any WHM user (and any of its tokens) may call. */
export const WHM_UNGATED: readonly string[] = ['version', 'applist', 'myprivs'];

/** Whether a token's (or a user's) privileges let it call a WHM function. */
export function aclsGrant(acls: 'all' | readonly string[], fn: string): boolean {
  if (acls === 'all' || acls.includes('all') || WHM_UNGATED.includes(fn)) return true;
  return acls.some((a) => WHM_ACLS[a]?.includes(fn));
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
    accessHash:
      Array.from({ length: 6 }, (_, i) => `${i}a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9`).join('\n') + '\n',
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
  'myprivs',
  'listacls',
  'api_token_create',
  'api_token_list',
  'api_token_update',
  'api_token_revoke',
  'api_token_get_details',
] as const;

/** When the sandbox's own tokens were made (Unix seconds): a fixed date, so lists read the same every run. */
const SANDBOX_TOKENS_CREATED = 1_735_689_600;

/** A full-access token record for one of the SANDBOX_CREDENTIALS tokens. */
function fullAccess(value: string, name = 'sandbox'): SandboxToken {
  return { name, value, acls: 'all', createTime: SANDBOX_TOKENS_CREATED };
}

export function initialUsers(): SandboxUser[] {
  const c = SANDBOX_CREDENTIALS;
  return [
    {
      user: 'root',
      password: c.root.password,
      whm: true,
      tokens: [],
      apiTokens: [fullAccess(c.root.whmToken)],
      accessHash: c.root.accessHash,
    },
    {
      user: c.reseller.user,
      password: c.reseller.password,
      whm: true,
      tokens: [],
      apiTokens: [fullAccess(c.reseller.whmToken)],
      tfaSecret: c.reseller.tfaSecret,
      acl: [
        'version',
        'gethostname',
        'applist',
        'listaccts',
        'accountsummary',
        'suspendacct',
        'unsuspendacct',
        'create_user_session',
        'cpanel',
        'uapi_cpanel',
      ],
      privs: ['basic-whm-functions', 'list-accts', 'acct-summary', 'suspend-acct', 'create-user-session', 'cpanel-api'],
    },
    {
      user: c.cptest.user,
      password: c.cptest.password,
      whm: false,
      tokens: [],
      apiTokens: [fullAccess(c.cptest.cpanelToken, 'deploy')],
      tfaSecret: c.cptest.tfaSecret,
    },
    { user: c.bob.user, password: c.bob.password, whm: false, tokens: [], apiTokens: [fullAccess(c.bob.cpanelToken)] },
  ];
}

export function initialAccounts(): SandboxAccount[] {
  const base = { plan: 'default', suspended: false, suspendreason: 'not suspended', ip: '127.0.0.1' };
  return [
    {
      ...base,
      user: 'cptest',
      domain: 'cptest.example',
      owner: 'reseller',
      email: 'owner@cptest.example',
      startdate: '24 Jan 15 10:00',
      diskused: '12M',
    },
    {
      ...base,
      user: 'bob',
      domain: 'bob.example',
      owner: 'root',
      email: 'bob@bob.example',
      startdate: '23 Mar 02 08:30',
      diskused: '431M',
      plan: 'gold',
    },
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
