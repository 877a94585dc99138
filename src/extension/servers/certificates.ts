import * as vscode from 'vscode';
import { PIN_MISMATCH, type ApiResult } from '../../core/result';
import type { ServerProfile } from '../../core/servers';
import type { ProfileStore } from './profileStore';

/**
 * After a TLS failure: a certificate the system does not trust is shown (fingerprint, subject,
 * expiry) with an offer to pin it for this server; a pinned certificate that changed is refused
 * with both fingerprints, and re-pinning takes an explicit choice. Returns the updated profile when
 * the user pinned, so the call can be tried again.
 */
export async function offerPin(profile: ServerProfile, result: ApiResult, profiles: ProfileStore): Promise<ServerProfile | undefined> {
  if (result.kind !== 'tls_error' || !profile.secure) return undefined;
  const where = `${profile.host}:${profile.port}`;
  if (profile.tls.mode === 'pinned') {
    if (result.certificate?.trustError !== PIN_MISMATCH) return undefined;
    const seen = result.certificate.fingerprint256;
    const choice = await vscode.window.showErrorMessage(
      `The certificate of ${where} (${profile.label}) has changed, so the call was refused and nothing was sent.`,
      {
        modal: true,
        detail: `Pinned:    ${profile.tls.fingerprint256}\nPresented: ${seen}\n\nIf the server's certificate was renewed on purpose, pin the new one. Otherwise someone may be intercepting the connection.`,
      },
      'Pin New Certificate',
    );
    if (choice !== 'Pin New Certificate') return undefined;
    return pin(profile, seen, profiles);
  }
  const c = result.certificate;
  if (!c || c.trusted || profile.tls.mode !== 'system') return undefined;
  // One pin per host: the very certificate already pinned for another server of this host (its WHM and
  // cPanel ports serve the same one) is pinned here too, without asking again.
  const sibling = profiles
    .profiles()
    .find((p) => p.id !== profile.id && p.host === profile.host && p.tls.mode === 'pinned' && p.tls.fingerprint256 === c.fingerprint256);
  if (sibling) return pin(profile, c.fingerprint256, profiles, `it is the one pinned for ${sibling.label} on ${profile.host}`);
  const others = profiles.profiles().filter((p) => p.id !== profile.id && p.host === profile.host && p.secure && p.tls.mode === 'system');
  const pinAll = others.length ? `Pin for All ${others.length + 1} Servers on ${profile.host}` : undefined;
  const choice = await vscode.window.showWarningMessage(
    `${where} (${profile.label}) presents a certificate this system does not trust.`,
    {
      modal: true,
      detail:
        `SHA-256 fingerprint:\n${c.fingerprint256}\n\nSubject: ${c.subject}\nIssuer: ${c.issuer}\nValid until: ${c.validTo}\n\n` +
        `Compare the fingerprint with the one the server shows (${whereToCompare(profile)}). Pinning trusts this certificate, and only this one, for this server.`,
    },
    'Pin Certificate',
    ...(pinAll ? [pinAll] : []),
  );
  if (choice === pinAll && pinAll) {
    for (const o of others) await profiles.save({ ...o, tls: { mode: 'pinned', fingerprint256: c.fingerprint256 } });
    return pin(profile, c.fingerprint256, profiles, `and for ${others.map((o) => o.label).join(', ')}`);
  }
  if (choice !== 'Pin Certificate') return undefined;
  return pin(profile, c.fingerprint256, profiles);
}

async function pin(profile: ServerProfile, fingerprint256: string, profiles: ProfileStore, why?: string): Promise<ServerProfile> {
  const updated: ServerProfile = { ...profile, tls: { mode: 'pinned', fingerprint256 } };
  await profiles.save(updated);
  void vscode.window.showInformationMessage(`Pinned the certificate of ${profile.label}${why ? `: ${why}` : ''}.`);
  return updated;
}

/** Where the person can read the server's fingerprint: WHM's page for root and resellers; a cPanel user cannot open it. */
function whereToCompare(p: ServerProfile): string {
  return p.service === 'whm'
    ? 'WHM » Service Configuration » Manage Service SSL Certificates'
    : "cPanel » Security » SSL/TLS Status, or ask the server's administrator, who sees it in WHM » Manage Service SSL Certificates";
}
