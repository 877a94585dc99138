import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { AUTH_METHODS, AUTH_SCHEMES, SECRET_SPECS } from '../../core/auth/schemes';
import { NO_TWO_FACTOR, TWO_FACTOR } from '../../core/auth/twoFactor';
import { secretFromOtpauth } from '../../core/otp';
import {
  defaultPort,
  hostFromUrl,
  hostProblem,
  labelProblem,
  parseGroups,
  requiredSecrets,
  tlsAfterEdit,
  SERVICE_NAMES,
  SERVICES,
  type AuthMethod,
  type Secrets,
  type ServerProfile,
  type Service,
  type TwoFactorMode,
} from '../../core/servers';

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

/** Escape or an empty answer cancels the whole flow. */
export class Cancelled extends Error {}

export interface InputSpec {
  value?: string;
  prompt: string;
  placeHolder?: string;
  password?: boolean;
  validate?: (v: string) => string | undefined;
}

/** How the wizard asks: VS Code's quick input, or a test's recording stand-in. Each throws Cancelled on Escape. */
export interface WizardUi {
  input(title: string, spec: InputSpec): Promise<string>;
  pick<T>(title: string, items: PickItem<T>[], current?: T): Promise<T>;
}

export const windowWizardUi: WizardUi = {
  async input(title, spec) {
    const v = await vscode.window.showInputBox({
      title,
      value: spec.value,
      prompt: spec.prompt,
      placeHolder: spec.placeHolder,
      password: spec.password,
      ignoreFocusOut: true,
      validateInput: spec.validate ? (x) => spec.validate!(x) ?? null : undefined,
    });
    if (v === undefined) throw new Cancelled();
    return v;
  },
  async pick<T>(title: string, items: PickItem<T>[], current?: T): Promise<T> {
    const active = items.find((i) => i.value === current);
    const chosen = await new Promise<PickItem<T> | undefined>((resolve) => {
      const qp = vscode.window.createQuickPick<PickItem<T>>();
      qp.title = title;
      qp.items = items;
      qp.ignoreFocusOut = true;
      if (active) qp.activeItems = [active];
      qp.onDidAccept(() => {
        resolve(qp.selectedItems[0]);
        qp.hide();
      });
      qp.onDidHide(() => {
        resolve(undefined);
        qp.dispose();
      });
      qp.show();
    });
    if (!chosen) throw new Cancelled();
    return chosen.value;
  },
};

/** The steps every path has: label, host, service, connection, port, username, authentication, two-factor, groups. */
const FIXED_STEPS = 9;

/**
 * The "n/total" of Add Server: the longest path still open. Until the service, the method and the
 * two-factor mode are chosen, the total counts the most secrets any remaining choice asks for; once
 * they are, the exact number. Each answer can only narrow the choices, so the total never grows under
 * the person, and the last step reads n = total.
 */
export function wizardSteps(known: { service?: Service; auth?: AuthMethod; twoFactor?: TwoFactorMode } = {}): number {
  const services = known.service ? [known.service] : SERVICES;
  const methods = known.auth ? [known.auth] : AUTH_METHODS.filter((m) => services.some((sv) => !AUTH_SCHEMES[m].serviceProblem(sv)));
  let most = 0;
  for (const auth of methods) {
    const modes: TwoFactorMode[] = known.twoFactor ? [known.twoFactor] : ['none', ...AUTH_SCHEMES[auth].twoFactor];
    for (const twoFactor of modes) most = Math.max(most, requiredSecrets({ auth, twoFactor }).length);
  }
  return FIXED_STEPS + most;
}

export interface WizardResult {
  profile: ServerProfile;
  secrets: Secrets;
}

/**
 * Add Server / Edit Server: label, host, service, TLS, port, username, auth method, 2FA mode, groups,
 * then the secrets in password boxes. Editing keeps stored secrets unless new ones are typed.
 * `groupsInUse`: the other servers' groups, named in the Groups step so that one is typed alike.
 */
export async function serverWizard(
  existing?: ServerProfile,
  hasSecrets?: Secrets,
  ui: WizardUi = windowWizardUi,
  groupsInUse: readonly string[] = [],
): Promise<WizardResult | undefined> {
  const verb = existing ? 'Edit Server' : 'Add Server';
  const input = ui.input.bind(ui);
  const pick = ui.pick.bind(ui);
  let step = 0;
  let total = wizardSteps();
  const t = (what: string): string => `${verb} (${++step}/${total}): ${what}`;
  try {
    const label = (
      await input(t('Label'), {
        value: existing?.label,
        prompt: 'A name for this server, shown in the tree and in result titles',
        placeHolder: 'prod-whm',
        validate: (v) => (v.trim() ? labelProblem(v.trim()) : 'Enter a label.'),
      })
    ).trim();
    const hostAnswer = (
      await input(t('Host'), {
        value: existing?.host,
        prompt: 'Hostname or IP address (a pasted https://host:2087/ is split into its parts)',
        placeHolder: 'server.example.com',
        validate: (v) => hostProblem(hostFromUrl(v)?.host ?? v.trim()),
      })
    ).trim();
    const fromUrl = hostFromUrl(hostAnswer);
    const host = fromUrl?.host ?? hostAnswer;
    const service = await pick<Service>(
      t('Service'),
      [
        {
          label: 'WHM',
          description: 'ports 2087 / 2086',
          detail: 'WHM API 1, and UAPI / cPanel API 2 on behalf of accounts',
          value: 'whm',
        },
        { label: 'cPanel', description: 'ports 2083 / 2082', detail: 'UAPI as a cPanel account', value: 'cpanel' },
        { label: 'Webmail', description: 'ports 2096 / 2095', detail: 'UAPI as a mail user', value: 'webmail' },
      ],
      fromUrl?.service ?? existing?.service,
    );
    total = wizardSteps({ service });
    const secure = await pick<boolean>(
      t('Connection'),
      [
        { label: 'HTTPS', description: 'recommended', value: true },
        { label: 'Plain HTTP', description: 'credentials travel in clear text', value: false },
      ],
      fromUrl?.secure ?? existing?.secure ?? true,
    );
    const suggested =
      fromUrl?.port ??
      (existing && existing.service === service && existing.secure === secure ? existing.port : defaultPort(service, secure));
    const port = Number(
      await input(t('Port'), {
        value: String(suggested),
        prompt: `${SERVICE_NAMES[service]} listens on ${defaultPort(service, secure)} for ${secure ? 'HTTPS' : 'plain HTTP'}`,
        validate: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535 ? undefined : 'Enter a port from 1 to 65535.'),
      }),
    );
    const username = (
      await input(t('Username'), {
        value: existing?.username ?? (service === 'whm' ? 'root' : ''),
        prompt: service === 'webmail' ? 'The mail account (user@domain) or cPanel user' : 'The cPanel or WHM username',
        validate: (v) => (/^[a-z0-9_.@-]{1,64}$/i.test(v.trim()) ? undefined : 'Enter a username.'),
      })
    ).trim();
    const methods: PickItem<AuthMethod>[] = AUTH_METHODS.filter((m) => !AUTH_SCHEMES[m].serviceProblem(service)).map((m) => ({
      label: capitalize(AUTH_SCHEMES[m].name),
      detail: AUTH_SCHEMES[m].detail(service),
      value: m,
    }));
    const auth = await pick<AuthMethod>(t('Authentication'), methods, existing?.auth);
    total = wizardSteps({ service, auth });
    const current2fa =
      existing && (existing.twoFactor === 'none' || AUTH_SCHEMES[auth].twoFactor.includes(existing.twoFactor))
        ? existing.twoFactor
        : undefined;
    const twoFactor = await pick<TwoFactorMode>(t('Two-factor authentication'), twoFactorChoices(auth), current2fa);
    total = wizardSteps({ service, auth, twoFactor });
    const groups = await askGroups(t('Groups'), existing?.groups ?? [], groupsInUse, input);
    const profile: ServerProfile = {
      id: existing?.id ?? randomUUID(),
      label,
      host,
      service,
      secure,
      port,
      username,
      auth,
      twoFactor,
      tls: tlsAfterEdit(existing, host),
      ...(groups.length ? { groups } : {}),
    };
    const secrets = await askSecrets(profile, hasSecrets ?? {}, (what) => t(what), ui);
    return { profile, secrets };
  } catch (e) {
    if (e instanceof Cancelled) return undefined;
    throw e;
  }
}

export type EditField = 'label' | 'host' | 'port' | 'secure' | 'username' | 'auth' | 'groups' | 'all';

/** What Edit Server offers: one field at a time, or every step. */
export async function pickEditField(p: ServerProfile, ui: WizardUi = windowWizardUi): Promise<EditField | undefined> {
  const pick = ui.pick.bind(ui);
  try {
    return await pick<EditField>(`Edit ${p.label}: what to change`, [
      { label: 'Label', description: p.label, value: 'label' },
      { label: 'Host', description: p.host, value: 'host' },
      { label: 'Port', description: String(p.port), value: 'port' },
      { label: 'Connection', description: p.secure ? 'HTTPS' : 'plain HTTP', value: 'secure' },
      { label: 'Username', description: p.username, value: 'username' },
      {
        label: 'Authentication and two-factor',
        description: `${AUTH_SCHEMES[p.auth].name}${p.twoFactor === 'none' ? '' : `, ${TWO_FACTOR[p.twoFactor].short}`}`,
        detail: 'Asks for the secrets the new method needs',
        value: 'auth',
      },
      {
        label: 'Groups',
        description: p.groups?.join(', ') || 'none',
        detail: 'Send to Group… and Test Connection of Group work on a group',
        value: 'groups',
      },
      { label: '$(list-ordered) All settings, step by step…', value: 'all' },
    ]);
  } catch (e) {
    if (e instanceof Cancelled) return undefined;
    throw e;
  }
}

/**
 * One field of a server, the others as they are. `secrets` is set only when the method changed
 * (the old secrets are then replaced); otherwise stored secrets are left alone.
 */
export async function editField(
  p: ServerProfile,
  field: Exclude<EditField, 'all'>,
  stored: Secrets,
  ui: WizardUi = windowWizardUi,
  groupsInUse: readonly string[] = [],
): Promise<{ profile: ServerProfile; secrets?: Secrets } | undefined> {
  const input = ui.input.bind(ui);
  const pick = ui.pick.bind(ui);
  const title = (what: string): string => `Edit ${p.label}: ${what}`;
  try {
    switch (field) {
      case 'label': {
        const label = (
          await input(title('Label'), {
            value: p.label,
            prompt: 'A name for this server, shown in the tree and in result titles',
            validate: (v) => (v.trim() ? labelProblem(v.trim()) : 'Enter a label.'),
          })
        ).trim();
        return { profile: { ...p, label } };
      }
      case 'host': {
        const answer = (
          await input(title('Host'), {
            value: p.host,
            prompt: 'Hostname or IP address (a pasted https://host:2087/ is split into its parts)',
            validate: (v) => hostProblem(hostFromUrl(v)?.host ?? v.trim()),
          })
        ).trim();
        const u = hostFromUrl(answer);
        const host = u?.host ?? answer;
        // Another host has another certificate: its pin does not carry over.
        return {
          profile: { ...p, host, ...(u ? { secure: u.secure } : {}), ...(u?.port ? { port: u.port } : {}), tls: tlsAfterEdit(p, host) },
        };
      }
      case 'port': {
        const port = Number(
          await input(title('Port'), {
            value: String(p.port),
            prompt: `${SERVICE_NAMES[p.service]} listens on ${defaultPort(p.service, p.secure)} for ${p.secure ? 'HTTPS' : 'plain HTTP'}`,
            validate: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535 ? undefined : 'Enter a port from 1 to 65535.'),
          }),
        );
        return { profile: { ...p, port } };
      }
      case 'secure': {
        const secure = await pick<boolean>(
          title('Connection'),
          [
            { label: 'HTTPS', description: 'recommended', value: true },
            { label: 'Plain HTTP', description: 'credentials travel in clear text', value: false },
          ],
          p.secure,
        );
        // The port follows when it was the other mode's default.
        const port = p.port === defaultPort(p.service, p.secure) ? defaultPort(p.service, secure) : p.port;
        return { profile: { ...p, secure, port } };
      }
      case 'username': {
        const username = (
          await input(title('Username'), {
            value: p.username,
            prompt: 'The cPanel or WHM username',
            validate: (v) => (/^[a-z0-9_.@-]{1,64}$/i.test(v.trim()) ? undefined : 'Enter a username.'),
          })
        ).trim();
        return { profile: { ...p, username } };
      }
      case 'groups': {
        const groups = await askGroups(title('Groups'), p.groups ?? [], groupsInUse, input);
        const profile: ServerProfile = { ...p };
        if (groups.length) profile.groups = groups;
        else delete profile.groups;
        return { profile };
      }
      case 'auth': {
        const methods: PickItem<AuthMethod>[] = AUTH_METHODS.filter((m) => !AUTH_SCHEMES[m].serviceProblem(p.service)).map((m) => ({
          label: capitalize(AUTH_SCHEMES[m].name),
          detail: AUTH_SCHEMES[m].detail(p.service),
          value: m,
        }));
        const auth = await pick<AuthMethod>(title('Authentication'), methods, p.auth);
        const twoFactor = await pick<TwoFactorMode>(title('Two-factor authentication'), twoFactorChoices(auth), p.twoFactor);
        const profile = { ...p, auth, twoFactor };
        const keep = profile.auth === p.auth ? stored : {};
        return { profile, secrets: { ...keep, ...(await askSecrets(profile, keep, (what) => title(what), ui)) } };
      }
    }
  } catch (e) {
    if (e instanceof Cancelled) return undefined;
    throw e;
  }
}

/** The Groups step: optional, so an empty answer is no group (not a cancel). */
async function askGroups(title: string, current: readonly string[], inUse: readonly string[], input: WizardUi['input']): Promise<string[]> {
  const others = [...new Set(inUse)].filter((g) => !current.includes(g)).sort((a, b) => a.localeCompare(b));
  const answer = await input(title, {
    value: current.join(', '),
    prompt: `Optional: the groups this server is in, separated by commas; Send to Group… and Test Connection of Group work on every server of a group.${
      others.length ? ` Groups in use: ${others.join(', ')}.` : ''
    } Leave it empty for none.`,
    placeHolder: others.length ? others.slice(0, 3).join(', ') : 'production, eu',
    validate: (v) => {
      const r = parseGroups(v);
      return 'problem' in r ? r.problem : undefined;
    },
  });
  const r = parseGroups(answer);
  return 'groups' in r ? r.groups : [];
}

/** Asks for each secret the profile needs. With `stored`, an empty answer keeps the stored value. */
export async function askSecrets(
  profile: ServerProfile,
  stored: Secrets,
  title: (what: string) => string = (w) => `Credentials for ${profile.label}: ${w}`,
  ui: WizardUi = windowWizardUi,
): Promise<Secrets> {
  const input = ui.input.bind(ui);
  const out: Secrets = {};
  const keep = (k: keyof Secrets): string => (stored[k] ? ' (leave empty to keep the stored one)' : '');
  for (const k of requiredSecrets(profile)) {
    const spec = SECRET_SPECS[k];
    const v = await input(title(spec.title), {
      prompt: spec.prompt(profile.username) + (k === 'totpSecret' ? ' (or the otpauth:// link)' : '') + keep(k),
      password: true,
      validate: (x) => {
        if (!x && stored[k]) return undefined;
        if (!x) return 'Required.';
        if (k === 'totpSecret') {
          const link = otpauthFor(x, profile);
          if (link) return 'error' in link ? link.error : spec.problem(link.secret);
        }
        return spec.problem(x);
      },
    });
    if (v) {
      const link = k === 'totpSecret' ? otpauthFor(v, profile) : undefined;
      out[k] = link && 'secret' in link ? link.secret : v.trim();
    }
  }
  return out;
}

/** A pasted otpauth:// link: its secret, or why it is not this account's. */
function otpauthFor(v: string, profile: ServerProfile): { secret: string } | { error: string } | undefined {
  const link = secretFromOtpauth(v);
  if (!link || 'error' in link) return link;
  const user = profile.username.toLowerCase();
  const account = link.account?.toLowerCase();
  if (account && account !== user && !account.startsWith(`${user}@`)) {
    return {
      error: `That link is for ${link.account}${link.issuer ? ` (${link.issuer})` : ''}, not ${profile.username}: copy the one shown for ${profile.username}.`,
    };
  }
  return { secret: link.secret };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The two-factor modes the method takes, from its scheme: none, and its own way of sending a code. */
function twoFactorChoices(auth: AuthMethod): PickItem<TwoFactorMode>[] {
  return [
    { label: NO_TWO_FACTOR, value: 'none' },
    ...AUTH_SCHEMES[auth].twoFactor.map((m) => ({ label: TWO_FACTOR[m].label, detail: TWO_FACTOR[m].detail, value: m })),
  ];
}
