import { describe, expect, it } from 'vitest';
import type { ConnectDefaults } from '../gen/ConnectDefaults';
import type { SalesforceConnection } from '../gen/SalesforceConnection';
import {
  buildConnectRequest,
  canManageConnection,
  disconnectOutcome,
  draftFromConnection,
  draftFromDefaults,
  findingsSummary,
  LOGIN_HOSTS,
  loginHostLabel,
  myDomainName,
  usageLabel,
  usageShare,
  type ConnectDraft,
} from './salesforce';

const CALLBACKS = ['http://localhost:1717/oauth/callback', 'http://localhost:1718/oauth/callback'];

const practiceDefaults: ConnectDefaults = {
  login_host: 'custom',
  login_url: 'http://127.0.0.1:4040',
  client_id: 'leadline-practice',
  callback_port: 1717,
  fallback_callback_port: 1718,
  callback_urls: CALLBACKS,
};

function connection(loginUrl: string): SalesforceConnection {
  return {
    org_id: '00D000000000001AAA',
    org_name: 'Acme',
    user_id: '005000000000001AAA',
    username: 'admin@acme.example',
    instance_url: 'https://acme.my.salesforce.com',
    api_version: '62.0',
    login_url: loginUrl,
    client_id: '3MVG9abc',
    connected_at: '2026-11-24T10:00:00Z',
    connected_by: 'ana@acme.example',
    api_usage: null,
    reconnect_reason: 'expired access/refresh token',
  };
}

const draft = (over: Partial<ConnectDraft>): ConnectDraft => ({
  loginHost: 'production',
  myDomain: '',
  loginUrl: '',
  clientId: '3MVG9abc',
  ...over,
});

describe('login hosts', () => {
  it('offers the four choices in order, the practice org last', () => {
    expect(LOGIN_HOSTS.map((h) => h.kind)).toEqual(['production', 'sandbox', 'my_domain', 'custom']);
    expect(loginHostLabel('custom')).toContain('Local practice org');
    expect(loginHostLabel('my_domain')).toBe('My Domain');
  });

  it('lets owners and admins manage the connection, not support', () => {
    expect(canManageConnection('owner')).toBe(true);
    expect(canManageConnection('admin')).toBe(true);
    expect(canManageConnection('support')).toBe(false);
  });
});

describe('draftFromDefaults', () => {
  it('preselects the practice org with its client id when one runs', () => {
    expect(draftFromDefaults(practiceDefaults)).toEqual({
      loginHost: 'custom',
      myDomain: '',
      loginUrl: 'http://127.0.0.1:4040',
      clientId: 'leadline-practice',
    });
  });

  it('starts on production with empty fields otherwise', () => {
    const defaults = { ...practiceDefaults, login_host: 'production', login_url: null, client_id: null } as const;
    expect(draftFromDefaults(defaults)).toEqual({ loginHost: 'production', myDomain: '', loginUrl: '', clientId: '' });
  });
});

describe('draftFromConnection', () => {
  it('reads the login URL back into the choice it came from', () => {
    expect(draftFromConnection(connection('https://login.salesforce.com')).loginHost).toBe('production');
    expect(draftFromConnection(connection('https://test.salesforce.com')).loginHost).toBe('sandbox');
    expect(draftFromConnection(connection('https://Acme--dev.sandbox.my.salesforce.com'))).toEqual({
      loginHost: 'my_domain',
      myDomain: 'acme--dev.sandbox',
      loginUrl: '',
      clientId: '3MVG9abc',
    });
  });

  it('keeps anything else, such as the practice org, as a custom URL', () => {
    expect(draftFromConnection(connection('http://127.0.0.1:4040'))).toEqual({
      loginHost: 'custom',
      myDomain: '',
      loginUrl: 'http://127.0.0.1:4040',
      clientId: '3MVG9abc',
    });
    expect(draftFromConnection(connection('not a url')).loginHost).toBe('custom');
  });
});

describe('myDomainName', () => {
  it('accepts the name or a pasted address', () => {
    expect(myDomainName('  Acme ')).toBe('acme');
    expect(myDomainName('https://acme.my.salesforce.com/')).toBe('acme');
    expect(myDomainName('acme--dev.sandbox.my.salesforce.com')).toBe('acme--dev.sandbox');
  });
});

describe('buildConnectRequest', () => {
  it('sends only what the chosen host needs, trimmed, on the default callback port', () => {
    const request = { my_domain: null, login_url: null, client_id: '3MVG9abc', callback_port: null };
    const production = draft({ myDomain: 'ignored', loginUrl: 'ignored', clientId: ' 3MVG9abc ' });
    expect(buildConnectRequest(production)).toEqual({
      ok: true,
      request: { ...request, login_host: 'production' },
    });
    const myDomain = draft({ loginHost: 'my_domain', myDomain: 'https://acme.my.salesforce.com' });
    expect(buildConnectRequest(myDomain)).toEqual({
      ok: true,
      request: { ...request, login_host: 'my_domain', my_domain: 'acme' },
    });
    expect(buildConnectRequest(draftFromDefaults(practiceDefaults))).toEqual({
      ok: true,
      request: {
        login_host: 'custom',
        my_domain: null,
        login_url: 'http://127.0.0.1:4040',
        client_id: 'leadline-practice',
        callback_port: null,
      },
    });
  });

  it('names the missing field', () => {
    expect(buildConnectRequest(draft({ loginHost: 'my_domain', myDomain: '  ' }))).toMatchObject({
      ok: false,
      field: 'my_domain',
    });
    expect(buildConnectRequest(draft({ loginHost: 'custom', loginUrl: '' }))).toMatchObject({
      ok: false,
      field: 'login_url',
    });
    const noClient = buildConnectRequest(draft({ clientId: ' ' }));
    expect(noClient).toMatchObject({ ok: false, field: 'client_id' });
    expect(noClient.ok ? '' : noClient.message).toContain('Consumer Key');
  });
});

describe('usageShare and usageLabel', () => {
  const at = '2026-11-24T10:00:00Z';

  it('rounds down so that just under 90% does not warn', () => {
    expect(usageShare({ used: 8999, limit: 10000, at })).toEqual({
      used: 8999,
      limit: 10000,
      percent: 89,
      shown: 8999,
      warn: false,
    });
    expect(usageShare({ used: 9000, limit: 10000, at })).toMatchObject({ percent: 90, warn: true });
  });

  it('caps the bar at the limit but says how far past it usage went', () => {
    expect(usageShare({ used: 16500, limit: 15000, at })).toMatchObject({ percent: 110, shown: 15000, warn: true });
    expect(usageLabel({ used: 16500, limit: 15000, at })).toBe('16,500 of 15,000 API requests used today (110%)');
  });

  it('gives no percent without a limit', () => {
    expect(usageShare({ used: 0, limit: 0, at })).toMatchObject({ percent: null, warn: false });
    expect(usageLabel({ used: 12, limit: 0, at })).toBe('12 of 0 API requests used today');
  });
});

describe('findingsSummary', () => {
  const finding = (severity: 'ok' | 'warning' | 'error') => ({ check: 'c', severity, title: 't', cause: '', fix: '' });

  it('says all passed only when nothing warns', () => {
    expect(findingsSummary([finding('ok'), finding('ok'), finding('ok')])).toBe('All 3 checks passed.');
    expect(findingsSummary([finding('ok')])).toBe('The 1 check passed.');
  });

  it('counts errors and warnings', () => {
    expect(findingsSummary([finding('error'), finding('warning'), finding('warning'), finding('ok')])).toBe(
      '1 error, 2 warnings in 4 checks.',
    );
    expect(findingsSummary([])).toBe('The doctor made no checks.');
  });
});

describe('disconnectOutcome', () => {
  it('says the access was revoked and that mappings stay', () => {
    const outcome = disconnectOutcome({ revoked: true, warning: null });
    expect(outcome.kind).toBe('status');
    expect(outcome.message).toContain('revoked');
    expect(outcome.message).toContain('Mappings');
  });

  it('turns a warning into an error-style message, without a doubled full stop', () => {
    const outcome = disconnectOutcome({ revoked: false, warning: 'Salesforce could not be reached.' });
    expect(outcome).toEqual({
      kind: 'error',
      message:
        'Disconnected here, with a warning: Salesforce could not be reached. ' +
        'Mappings and settings stay, ready for the next connection.',
    });
  });

  it('says when there was nothing to revoke', () => {
    expect(disconnectOutcome({ revoked: false, warning: null }).message).toContain('no token');
  });
});
