// The Salesforce integration page's pure rules: the login-host choices and their labels, the
// Connect form's draft and the request it becomes, the API usage share, who may manage the
// connection, and the words for doctor findings and for what disconnecting did. The core decides
// and validates everything again; these only shape what the page shows and sends.
import type { ApiUsageInfo } from '../gen/ApiUsageInfo';
import type { ConnectDefaults } from '../gen/ConnectDefaults';
import type { ConnectRequest } from '../gen/ConnectRequest';
import type { Disconnected } from '../gen/Disconnected';
import type { Finding } from '../gen/Finding';
import type { LoginHostKind } from '../gen/LoginHostKind';
import type { Role } from '../gen/Role';
import type { SalesforceConnection } from '../gen/SalesforceConnection';
import type { Severity } from '../gen/Severity';
import { countLabel } from './format';

/** The client id of the practice org's connected app (`leadline-sfsim`). */
export const PRACTICE_CLIENT_ID = 'leadline-practice';

export interface LoginHostChoice {
  kind: LoginHostKind;
  label: string;
  /** Where the choice logs in, for the hint under it. */
  hint: string;
}

/** The login hosts in the order the form offers them. */
export const LOGIN_HOSTS: readonly LoginHostChoice[] = [
  { kind: 'production', label: 'Production', hint: 'login.salesforce.com' },
  { kind: 'sandbox', label: 'Sandbox', hint: 'test.salesforce.com' },
  { kind: 'my_domain', label: 'My Domain', hint: 'https://NAME.my.salesforce.com' },
  {
    kind: 'custom',
    label: 'Local practice org / custom URL',
    hint: 'Any login URL, such as the practice org that make run starts',
  },
];

export function loginHostLabel(kind: LoginHostKind): string {
  return LOGIN_HOSTS.find((h) => h.kind === kind)?.label ?? kind;
}

/**
 * Connecting and disconnecting are for owners and admins (the core's `ManageConnection`); every
 * member may see the connection, since support needs to know when a reconnect is due.
 */
export function canManageConnection(role: Role): boolean {
  return role === 'owner' || role === 'admin';
}

/** What the Connect form holds: text as typed, whichever login host is chosen. */
export interface ConnectDraft {
  loginHost: LoginHostKind;
  myDomain: string;
  loginUrl: string;
  clientId: string;
}

/** The form as the core suggests it: the practice org preselected when one runs. */
export function draftFromDefaults(defaults: ConnectDefaults): ConnectDraft {
  return {
    loginHost: defaults.login_host,
    myDomain: '',
    loginUrl: defaults.login_url ?? '',
    clientId: defaults.client_id ?? '',
  };
}

const MY_DOMAIN_SUFFIX = '.my.salesforce.com';

/**
 * The form for connecting again to the org a connection came from, so a reconnect asks for
 * nothing already known: the login URL is read back into the choice it came from.
 */
export function draftFromConnection(connection: SalesforceConnection): ConnectDraft {
  const draft: ConnectDraft = {
    loginHost: 'custom',
    myDomain: '',
    loginUrl: connection.login_url,
    clientId: connection.client_id,
  };
  let host: string;
  try {
    const url = new URL(connection.login_url);
    if (url.protocol !== 'https:') return draft;
    host = url.hostname.toLowerCase();
  } catch {
    return draft;
  }
  if (host === 'login.salesforce.com') return { ...draft, loginHost: 'production', loginUrl: '' };
  if (host === 'test.salesforce.com') return { ...draft, loginHost: 'sandbox', loginUrl: '' };
  if (host.endsWith(MY_DOMAIN_SUFFIX) && host.length > MY_DOMAIN_SUFFIX.length) {
    const name = host.slice(0, -MY_DOMAIN_SUFFIX.length);
    return { ...draft, loginHost: 'my_domain', myDomain: name, loginUrl: '' };
  }
  return draft;
}

/**
 * The My Domain name from what was typed: admins often paste the whole address, so
 * `https://acme.my.salesforce.com/` is read as `acme`.
 */
export function myDomainName(text: string): string {
  let name = text.trim().toLowerCase();
  name = name.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (name.endsWith(MY_DOMAIN_SUFFIX)) name = name.slice(0, -MY_DOMAIN_SUFFIX.length);
  return name;
}

export type BuiltRequest =
  | { ok: true; request: ConnectRequest }
  | { ok: false; field: 'my_domain' | 'login_url' | 'client_id'; message: string };

/**
 * The request the form sends, or which field is missing and why. Only what the chosen host needs
 * is sent; the core checks the values themselves (a malformed URL or name) and says what is wrong.
 */
export function buildConnectRequest(draft: ConnectDraft): BuiltRequest {
  const clientId = draft.clientId.trim();
  let myDomain: string | null = null;
  let loginUrl: string | null = null;
  if (draft.loginHost === 'my_domain') {
    myDomain = myDomainName(draft.myDomain);
    if (myDomain === '') {
      return {
        ok: false,
        field: 'my_domain',
        message: 'Type your My Domain name, as in acme for https://acme.my.salesforce.com.',
      };
    }
  } else if (draft.loginHost === 'custom') {
    loginUrl = draft.loginUrl.trim();
    if (loginUrl === '') {
      return { ok: false, field: 'login_url', message: 'Type the URL you log in to Salesforce at.' };
    }
  }
  if (clientId === '') {
    return {
      ok: false,
      field: 'client_id',
      message: "Paste the connected app's Consumer Key as the client ID.",
    };
  }
  return {
    ok: true,
    request: {
      login_host: draft.loginHost,
      my_domain: myDomain,
      login_url: loginUrl,
      client_id: clientId,
      // The documented default port, with its fallback when busy: what the callback URLs name.
      callback_port: null,
    },
  };
}

/** The share of the daily API requests at which the usage bar turns to a warning. */
export const USAGE_WARN_SHARE = 0.9;

export interface UsageShare {
  used: number;
  limit: number;
  /** Whole percent, rounded down so that 89.9% never reads as the warning's 90%; null without a limit. */
  percent: number | null;
  /** What the bar shows: `used` capped at `limit`, since a meter cannot run past its end. */
  shown: number;
  warn: boolean;
}

export function usageShare(usage: ApiUsageInfo): UsageShare {
  const used = Math.max(0, usage.used);
  const limit = Math.max(0, usage.limit);
  if (limit === 0) return { used, limit, percent: null, shown: 0, warn: used > 0 };
  const share = used / limit;
  return {
    used,
    limit,
    percent: Math.floor(share * 100),
    shown: Math.min(used, limit),
    warn: share >= USAGE_WARN_SHARE,
  };
}

const NUMBER = new Intl.NumberFormat('en-US');

/** "1,234 of 15,000 API requests used today (8%)". */
export function usageLabel(usage: ApiUsageInfo): string {
  const share = usageShare(usage);
  const percent = share.percent === null ? '' : ` (${share.percent}%)`;
  return `${NUMBER.format(share.used)} of ${NUMBER.format(share.limit)} API requests used today${percent}`;
}

export const SEVERITY_LABELS: Readonly<Record<Severity, string>> = {
  ok: 'OK',
  warning: 'Warning',
  error: 'Error',
};

/** A symbol beside the label, so severity does not rest on colour alone. */
export const SEVERITY_ICONS: Readonly<Record<Severity, string>> = {
  ok: '✓',
  warning: '!',
  error: '✕',
};

/** One line over the doctor's findings: "All 4 checks passed." or "1 error, 2 warnings in 5 checks." */
export function findingsSummary(findings: readonly Finding[]): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  const checks = countLabel(findings.length, 'check');
  if (findings.length === 0) return 'The doctor made no checks.';
  if (errors === 0 && warnings === 0) {
    return findings.length === 1 ? 'The 1 check passed.' : `All ${checks} passed.`;
  }
  const parts: string[] = [];
  if (errors > 0) parts.push(countLabel(errors, 'error'));
  if (warnings > 0) parts.push(countLabel(warnings, 'warning'));
  return `${parts.join(', ')} in ${checks}.`;
}

/** What the page says after disconnecting: plain when Salesforce revoked the token, else a warning. */
export function disconnectOutcome(result: Disconnected): { kind: 'status' | 'error'; message: string } {
  const kept = 'Mappings and settings stay, ready for the next connection.';
  if (result.warning !== null) {
    const warning = result.warning.trim().replace(/\.$/, '');
    return { kind: 'error', message: `Disconnected here, with a warning: ${warning}. ${kept}` };
  }
  if (result.revoked) {
    return { kind: 'status', message: `Disconnected. Salesforce revoked Leadline's access. ${kept}` };
  }
  // No token was kept (e.g. the keyring lost it): there was nothing to revoke.
  return { kind: 'status', message: `Disconnected. Leadline held no token to revoke. ${kept}` };
}
