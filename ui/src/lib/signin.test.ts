import { describe, expect, it } from 'vitest';
import type { ProviderInfo } from '../gen/ProviderInfo';
import {
  buildSignInRequest,
  emptySignInForms,
  isIssuerUrl,
  needsClientId,
  needsIssuer,
  notMemberEmail,
  notMemberMessage,
  orderProviders,
  providerLabel,
  providerNote,
  SESSION_ENDED_MESSAGE,
  signInOutcome,
  signInProblem,
} from './signin';

const practice: ProviderInfo = {
  kind: 'practice',
  label: 'Local practice org',
  issuer: 'http://127.0.0.1:8443',
  client_id: 'leadline-practice',
};
const google: ProviderInfo = {
  kind: 'google',
  label: 'Google',
  issuer: 'https://accounts.google.com',
  client_id: null,
};
const microsoft: ProviderInfo = {
  kind: 'microsoft',
  label: 'Microsoft',
  issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
  client_id: 'configured-ms-id',
};
const oidc: ProviderInfo = { kind: 'oidc', label: 'Another OpenID Connect provider', issuer: null, client_id: null };

const form = (issuer = '', clientId = '') => ({ issuer, clientId });

describe('orderProviders', () => {
  it('puts the practice org first, then Google, Microsoft and any issuer', () => {
    expect(orderProviders([oidc, microsoft, google, practice]).map((p) => p.kind)).toEqual([
      'practice',
      'google',
      'microsoft',
      'oidc',
    ]);
  });

  it('keeps the first of two providers of one kind and leaves the input alone', () => {
    const input = [google, { ...google, label: 'Google (again)' }, oidc];
    expect(orderProviders(input).map((p) => p.label)).toEqual(['Google', 'Another OpenID Connect provider']);
    expect(input).toHaveLength(3);
  });

  it('lists nothing when the shell offers nothing', () => {
    expect(orderProviders([])).toEqual([]);
  });
});

describe('labels and notes', () => {
  it("uses the shell's label, or one for the kind when it sent none", () => {
    expect(providerLabel(practice)).toBe('Local practice org');
    expect(providerLabel({ ...google, label: '  ' })).toBe('Google');
    expect(providerLabel({ ...oidc, label: '' })).toBe('Another OpenID Connect provider');
  });

  it('marks the practice org as the offline demo', () => {
    expect(providerNote(practice)).toBe('Offline demo — no account needed');
    expect(providerNote(microsoft)).toContain('Microsoft');
  });
});

describe('which inputs a provider needs', () => {
  it('asks for a client id only where none is configured', () => {
    expect(needsClientId(practice)).toBe(false);
    expect(needsClientId(google)).toBe(true);
    expect(needsClientId(microsoft)).toBe(false);
    expect(needsClientId({ ...microsoft, client_id: ' ' })).toBe(true);
    expect(needsClientId(oidc)).toBe(true);
  });

  it('asks for the issuer only for another OpenID Connect provider', () => {
    expect(needsIssuer(practice)).toBe(false);
    expect(needsIssuer(google)).toBe(false);
    expect(needsIssuer(oidc)).toBe(true);
  });

  it('starts every form empty, with a configured issuer filled in', () => {
    expect(emptySignInForms().google).toEqual(form());
    expect(emptySignInForms([practice, oidc]).oidc).toEqual(form());
    expect(emptySignInForms([{ ...oidc, issuer: 'https://idp.example' }]).oidc).toEqual(form('https://idp.example'));
    expect(emptySignInForms([practice]).practice).toEqual(form());
  });
});

describe('signInProblem', () => {
  it('needs nothing typed for a fully configured provider', () => {
    expect(signInProblem(practice, form())).toBeNull();
    expect(signInProblem(microsoft, form())).toBeNull();
  });

  it('names a missing client id', () => {
    expect(signInProblem(google, form('', '  '))).toEqual({
      field: 'client_id',
      message: 'The Google client ID is needed to sign in.',
    });
    expect(signInProblem(google, form('', 'abc.apps.googleusercontent.com'))).toBeNull();
  });

  it('wants the issuer before the client id', () => {
    expect(signInProblem(oidc, form())?.field).toBe('issuer');
    expect(signInProblem(oidc, form('https://idp.example'))?.field).toBe('client_id');
    expect(signInProblem(oidc, form(' https://idp.example ', 'leadline'))).toBeNull();
  });

  it('refuses an issuer that is not https, as the core does', () => {
    expect(signInProblem(oidc, form('idp.example', 'c'))?.field).toBe('issuer');
    expect(signInProblem(oidc, form('http://idp.example', 'c'))?.message).toContain('https://');
  });
});

describe('isIssuerUrl', () => {
  it('takes https anywhere and plain http on this computer only', () => {
    expect(isIssuerUrl('https://idp.example/realms/team')).toBe(true);
    expect(isIssuerUrl('http://127.0.0.1:8443')).toBe(true);
    expect(isIssuerUrl('http://localhost:8080/')).toBe(true);
    expect(isIssuerUrl('http://[::1]:8443')).toBe(true);
    expect(isIssuerUrl('http://idp.example')).toBe(false);
    expect(isIssuerUrl('ftp://idp.example')).toBe(false);
    expect(isIssuerUrl('not a url')).toBe(false);
    expect(isIssuerUrl('')).toBe(false);
  });
});

describe('buildSignInRequest', () => {
  it('leaves configured values to the shell', () => {
    expect(buildSignInRequest(practice, form('https://ignored.example', 'ignored'))).toEqual({
      kind: 'practice',
      issuer: null,
      client_id: null,
    });
    expect(buildSignInRequest(microsoft, form())).toEqual({ kind: 'microsoft', issuer: null, client_id: null });
  });

  it('sends what was typed, trimmed, where the configuration has nothing', () => {
    expect(buildSignInRequest(google, form('', ' 123.apps.googleusercontent.com '))).toEqual({
      kind: 'google',
      issuer: null,
      client_id: '123.apps.googleusercontent.com',
    });
    expect(buildSignInRequest(oidc, form(' https://idp.example ', 'leadline'))).toEqual({
      kind: 'oidc',
      issuer: 'https://idp.example',
      client_id: 'leadline',
    });
  });

  it('sends null for an empty input, so the core names what is missing', () => {
    expect(buildSignInRequest(oidc, form(' ', ''))).toEqual({ kind: 'oidc', issuer: null, client_id: null });
  });
});

describe('not a member', () => {
  it('reads the address from the core message', () => {
    expect(notMemberEmail('bo@example.com is not on this team; ask your team owner to add you')).toBe(
      'bo@example.com',
    );
    expect(notMemberEmail('You are not on this team; ask your team owner to add you')).toBeNull();
    expect(notMemberEmail('')).toBeNull();
  });

  it('says who is signed in and what to do', () => {
    expect(notMemberMessage('bo@example.com')).toBe(
      "You're signed in as bo@example.com but not on this team. Ask your team owner to add you.",
    );
    expect(notMemberMessage(null)).toContain('not on this team. Ask your team owner to add you.');
  });
});

describe('signInOutcome', () => {
  it('treats a cancelled sign-in as news, not as an error', () => {
    expect(signInOutcome({ code: 'sign_in_cancelled', message: 'the sign-in was cancelled' })).toEqual({
      kind: 'cancelled',
      message: 'Sign-in cancelled.',
    });
  });

  it('sends someone who is not on the team to its own screen', () => {
    expect(
      signInOutcome({ code: 'not_a_member', message: 'bo@example.com is not on this team; ask your team owner to add you' }),
    ).toEqual({ kind: 'not_a_member', email: 'bo@example.com' });
  });

  it('shows any other failure as it came', () => {
    for (const code of ['sign_in_failed', 'keyring_unavailable', 'invalid_input', 'storage'] as const) {
      expect(signInOutcome({ code, message: `failed: ${code}` })).toEqual({ kind: 'error', message: `failed: ${code}` });
    }
  });

  it('has the session-ended wording of the contract', () => {
    expect(SESSION_ENDED_MESSAGE).toBe('Your session ended; sign in again.');
  });
});
