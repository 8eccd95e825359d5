import type { ErrorCode } from '../gen/ErrorCode';
import type { ProviderInfo } from '../gen/ProviderInfo';
import type { ProviderKind } from '../gen/ProviderKind';
import type { SignInRequest } from '../gen/SignInRequest';

/** Shown on the sign-in screen when a command found nobody signed in any more. */
export const SESSION_ENDED_MESSAGE = 'Your session ended; sign in again.';

/** Shown on the sign-in screen after the person signed out themselves. */
export const SIGNED_OUT_MESSAGE = 'You signed out.';

/** Shown when the person cancelled the browser sign-in. */
export const SIGN_IN_CANCELLED_MESSAGE = 'Sign-in cancelled.';

/** The order the sign-in screen lists providers in: the offline practice org first. */
const KIND_ORDER: readonly ProviderKind[] = ['practice', 'google', 'microsoft', 'oidc'];

/** Labels for a provider the shell sent without one. */
export const KIND_LABELS: Readonly<Record<ProviderKind, string>> = {
  practice: 'Practice org',
  google: 'Google',
  microsoft: 'Microsoft',
  oidc: 'Another OpenID Connect provider',
};

/** The line under each provider's name. */
export const KIND_NOTES: Readonly<Record<ProviderKind, string>> = {
  practice: 'Offline demo — no account needed',
  google: 'Your Google Workspace account',
  microsoft: 'Your Microsoft work or school account',
  oidc: 'Okta, Keycloak, Auth0 or any other OpenID Connect issuer',
};

/** What client id to name in hints and messages, per provider. */
const CLIENT_ID_OF: Readonly<Record<ProviderKind, string>> = {
  practice: 'The practice org’s client ID',
  google: 'The Google client ID',
  microsoft: 'The Microsoft client ID',
  oidc: 'The client ID',
};

/**
 * The providers as the screen lists them: by kind (practice, Google, Microsoft, any OpenID
 * Connect issuer), keeping the shell's order among providers of the same kind. At most one per
 * kind is kept, as each kind has one button.
 */
export function orderProviders(providers: readonly ProviderInfo[]): ProviderInfo[] {
  const seen = new Set<ProviderKind>();
  const unique = providers.filter((p) => {
    if (seen.has(p.kind)) return false;
    seen.add(p.kind);
    return true;
  });
  return unique.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
}

/** The provider's name as shown; the shell's label unless it sent none. */
export function providerLabel(provider: ProviderInfo): string {
  const label = provider.label.trim();
  return label === '' ? KIND_LABELS[provider.kind] : label;
}

export function providerNote(provider: ProviderInfo): string {
  return KIND_NOTES[provider.kind];
}

function blank(value: string | null): boolean {
  return value === null || value.trim() === '';
}

/** Whether the person must type a client id: none is configured for this provider. */
export function needsClientId(provider: ProviderInfo): boolean {
  return blank(provider.client_id);
}

/** Whether the person must type the issuer URL: only for "another OpenID Connect provider". */
export function needsIssuer(provider: ProviderInfo): boolean {
  return provider.kind === 'oidc';
}

/** What the person typed for one provider. */
export interface SignInForm {
  issuer: string;
  clientId: string;
}

/** One empty form per provider kind; a configured issuer is filled in as a starting point. */
export function emptySignInForms(providers: readonly ProviderInfo[] = []): Record<ProviderKind, SignInForm> {
  const forms: Record<ProviderKind, SignInForm> = {
    practice: { issuer: '', clientId: '' },
    google: { issuer: '', clientId: '' },
    microsoft: { issuer: '', clientId: '' },
    oidc: { issuer: '', clientId: '' },
  };
  for (const provider of providers) {
    if (needsIssuer(provider) && provider.issuer !== null) forms[provider.kind].issuer = provider.issuer;
  }
  return forms;
}

/** Which input a problem is about, so the screen can put focus there. */
export type SignInField = 'issuer' | 'client_id';

/**
 * Why the typed values cannot be used yet, or `null`. Only what is missing or plainly not a URL
 * is caught here; the core checks the rest and says so.
 */
export function signInProblem(
  provider: ProviderInfo,
  form: SignInForm,
): { field: SignInField; message: string } | null {
  if (needsIssuer(provider)) {
    const issuer = form.issuer.trim();
    if (issuer === '') return { field: 'issuer', message: 'Type the provider’s issuer URL.' };
    if (!isIssuerUrl(issuer)) {
      return {
        field: 'issuer',
        message: 'The issuer URL must start with https:// (plain http:// only for this computer: localhost or 127.0.0.1).',
      };
    }
  }
  if (needsClientId(provider) && form.clientId.trim() === '') {
    return { field: 'client_id', message: `${CLIENT_ID_OF[provider.kind]} is needed to sign in.` };
  }
  return null;
}

/** The hosts plain http is allowed for, as the core allows them: this computer only. */
const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];

/** An https URL, or an http one on loopback: what the core accepts as an issuer. */
export function isIssuerUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return false;
  }
  if (url.hostname === '') return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.includes(url.hostname));
}

/**
 * The `sign_in` request for a provider: what the person typed where the configuration has
 * nothing, `null` (use the configured value) everywhere else.
 */
export function buildSignInRequest(provider: ProviderInfo, form: SignInForm): SignInRequest {
  const typed = (value: string): string | null => (value.trim() === '' ? null : value.trim());
  return {
    kind: provider.kind,
    issuer: needsIssuer(provider) ? typed(form.issuer) : null,
    client_id: needsClientId(provider) ? typed(form.clientId) : null,
  };
}

/**
 * The e-mail address a `not_a_member` message names ("ana@example.com is not on this team; ask
 * your team owner to add you"), or `null` when it names none.
 */
export function notMemberEmail(message: string): string | null {
  const match = /^\s*(\S+@\S+?)\s+is not on this team/i.exec(message);
  return match?.[1] ?? null;
}

/** The sentence the not-a-member screen shows. */
export function notMemberMessage(email: string | null): string {
  const who = email === null ? 'an account that is' : email;
  return `You're signed in as ${who} but not on this team. Ask your team owner to add you.`;
}

/** Where a finished-with-failure sign-in leaves the screen. */
export type SignInOutcome =
  | { kind: 'cancelled'; message: string }
  | { kind: 'not_a_member'; email: string | null }
  | { kind: 'error'; message: string };

/** What the screen shows after `sign_in` rejected with `error`. */
export function signInOutcome(error: { code: ErrorCode; message: string }): SignInOutcome {
  switch (error.code) {
    case 'sign_in_cancelled':
      return { kind: 'cancelled', message: SIGN_IN_CANCELLED_MESSAGE };
    case 'not_a_member':
      return { kind: 'not_a_member', email: notMemberEmail(error.message) };
    default:
      return { kind: 'error', message: error.message };
  }
}
