//! What Leadline knows about why Salesforce refuses: each known trouble — a blocked app, admin
//! pre-approval, a refresh-token policy, IP restrictions, an edition or user without API access,
//! an unreachable org, the daily limit — turned into its cause and its fix in a Salesforce admin's
//! words. Connecting, the doctor and (later) the sync log all explain failures from this one table,
//! so the advice an admin reads is the same wherever the failure shows up.

use leadline_salesforce::loopback::{CALLBACK_PATH, DEFAULT_PORT, FALLBACK_PORT};
use leadline_salesforce::rest::{ApiErrorCode, RestError};
use leadline_salesforce::{AuthError, LoopbackError};

/// A failure Leadline recognises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trouble {
    /// "Deny" on Salesforce's consent page.
    ConsentDenied,
    /// Blocked under "Connected Apps OAuth Usage".
    AppBlocked,
    /// Permitted Users is "Admin approved users are pre-authorized" and the user is not.
    AdminApprovalRequired,
    /// The refresh token died right after it was issued: the "expire immediately" policy.
    RefreshExpiresImmediately,
    /// A refresh token that worked before is refused: revoked or expired.
    RefreshRevoked,
    IpRestricted,
    InactiveUser,
    UnknownClientId,
    ApiDisabledForOrg,
    ApiDisabledForUser,
    /// No answer from Salesforce at all.
    Unreachable {
        url: String,
        detail: String,
    },
    /// No callback came back from the browser in time.
    BrowserTimeout {
        seconds: u64,
    },
    /// Both callback ports are taken by other programs.
    CallbackPortBusy {
        detail: String,
    },
    /// The daily API request limit is close (or passed).
    NearDailyLimit {
        used: i64,
        limit: i64,
    },
    /// Salesforce granted no refresh token: the app lacks the `refresh_token` scope.
    NoRefreshToken,
    /// Anything else Salesforce's OAuth service said, as it said it.
    OAuth {
        error: String,
        description: Option<String>,
    },
}

/// A trouble's cause and fix, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub title: String,
    pub cause: String,
    pub fix: String,
}

impl Explanation {
    /// One paragraph: title, cause, then the fix.
    pub fn sentence(&self) -> String {
        format!("{}. {} Fix: {}", self.title, self.cause, self.fix)
    }
}

fn has(description: &Option<String>, needle: &str) -> bool {
    description
        .as_deref()
        .is_some_and(|d| d.to_ascii_lowercase().contains(needle))
}

/// The trouble an OAuth error code and description name, as the callback or the token endpoint
/// sent them. `fresh` says the refresh token was issued moments ago (during connect), which is
/// what tells the "expire immediately" policy apart from a revocation.
pub fn from_oauth(error: &str, description: &Option<String>, fresh: bool) -> Trouble {
    let error_lc = error.to_ascii_lowercase();
    match error_lc.as_str() {
        "access_denied" | "access-denied" => Trouble::ConsentDenied,
        "oauth_app_blocked" => Trouble::AppBlocked,
        "oauth_app_access_denied" => Trouble::AdminApprovalRequired,
        "invalid_client" if has(description, "app must be installed") => Trouble::AppBlocked,
        "invalid_client_id" => Trouble::UnknownClientId,
        "invalid_grant" if has(description, "hasn't approved") => Trouble::AdminApprovalRequired,
        "invalid_grant" if has(description, "ip restricted") => Trouble::IpRestricted,
        "invalid_grant" if has(description, "inactive") => Trouble::InactiveUser,
        "invalid_grant" if has(description, "expired") && fresh => {
            Trouble::RefreshExpiresImmediately
        }
        "invalid_grant" if has(description, "expired") => Trouble::RefreshRevoked,
        _ => Trouble::OAuth {
            error: error.to_string(),
            description: description.clone(),
        },
    }
}

/// The trouble behind a failed browser authorization, if Leadline knows it; cancellation is not
/// a trouble and gives `None`.
pub fn from_auth(e: &AuthError) -> Option<Trouble> {
    Some(match e {
        AuthError::Denied => Trouble::ConsentDenied,
        AuthError::Provider { error, description }
        | AuthError::TokenEndpoint { error, description } => from_oauth(error, description, true),
        AuthError::Timeout { after } => Trouble::BrowserTimeout {
            seconds: after.as_secs(),
        },
        AuthError::Callback(LoopbackError::PortsBusy { .. }) => Trouble::CallbackPortBusy {
            detail: e.to_string(),
        },
        AuthError::Http(detail) => Trouble::Unreachable {
            url: "the login host".into(),
            detail: detail.clone(),
        },
        _ => return None,
    })
}

/// The trouble behind a failed REST call, if Leadline knows it.
pub fn from_rest(e: &RestError, fresh: bool, instance_url: &str) -> Option<Trouble> {
    match e {
        RestError::ReconnectRequired { error, description } => {
            Some(from_oauth(error, description, fresh))
        }
        RestError::Transport { message, .. } => Some(Trouble::Unreachable {
            url: instance_url.to_string(),
            detail: message.clone(),
        }),
        RestError::Refresh(auth) => from_auth(auth),
        RestError::Api { .. } => match e.first_code()? {
            ApiErrorCode::ApiDisabledForOrg => Some(Trouble::ApiDisabledForOrg),
            ApiErrorCode::ApiCurrentlyDisabled => Some(Trouble::ApiDisabledForUser),
            _ => None,
        },
        _ => None,
    }
}

fn callback_urls() -> String {
    format!(
        "http://localhost:{DEFAULT_PORT}{CALLBACK_PATH} and http://localhost:{FALLBACK_PORT}{CALLBACK_PATH}"
    )
}

/// Cause and fix for a trouble. `client_id` and `user` make the text point at the right app and
/// person when they are known.
pub fn explain(t: &Trouble, client_id: &str, user: Option<&str>) -> Explanation {
    let user = user.unwrap_or("the Salesforce user");
    let (title, cause, fix): (&str, String, String) = match t {
        Trouble::ConsentDenied => (
            "Access was denied in Salesforce",
            "Someone clicked Deny on Salesforce's \"Allow Access?\" page, so Salesforce gave Leadline no access.".into(),
            "Connect again and click Allow on Salesforce's page.".into(),
        ),
        Trouble::AppBlocked => (
            "The connected app is blocked in this org",
            format!("The app with client id {client_id} is blocked under Setup → Connected Apps OAuth Usage, so Salesforce refuses every login and token for it."),
            "In Setup, open Connected Apps OAuth Usage, find the app and click Unblock; then connect again.".into(),
        ),
        Trouble::AdminApprovalRequired => (
            "The connected app needs admin pre-approval",
            format!("The app's Permitted Users policy is \"Admin approved users are pre-authorized\", and {user} is not pre-authorized."),
            "In Setup → Manage Connected Apps → the app → Edit Policies, set Permitted Users to \"All users may self-authorize\"; or keep it and add the user's profile or a permission set under Profiles / Permission Sets on the app's page. Then connect again.".into(),
        ),
        Trouble::RefreshExpiresImmediately => (
            "The app's refresh token policy is \"Immediately expire refresh token\"",
            "Salesforce refused the refresh token moments after issuing it, so Leadline could never push bookings unattended.".into(),
            "In Setup → Manage Connected Apps → the app → Edit Policies → Refresh Token Policy, choose \"Refresh token is valid until revoked\" (or an expiry longer than your busiest gap between bookings), save, and connect again.".into(),
        ),
        Trouble::RefreshRevoked => (
            "Salesforce no longer accepts Leadline's refresh token",
            "The token was revoked — by a disconnect, by an admin under Connected Apps OAuth Usage, by the user under Settings → Connected Apps, or because the user holds too many tokens for this app — or the app's Refresh Token Policy let it expire.".into(),
            "Connect again from Team settings → Integrations → Salesforce; queued bookings wait and are pushed once connected. If it keeps happening, set the app's Refresh Token Policy to \"Refresh token is valid until revoked\".".into(),
        ),
        Trouble::IpRestricted => (
            "Salesforce refused this computer's IP address",
            "The app enforces IP restrictions, and this network's address is outside the org's trusted IP ranges and the user profile's Login IP Ranges.".into(),
            "In Setup → Manage Connected Apps → the app → Edit Policies → IP Relaxation, choose \"Relax IP restrictions\"; or add this network's addresses under Network Access or the profile's Login IP Ranges. Then connect again.".into(),
        ),
        Trouble::InactiveUser => (
            "The Salesforce user is inactive",
            format!("{user} is deactivated or frozen, so Salesforce issues no tokens for them."),
            "Reactivate (or unfreeze) the user in Setup → Users, or connect as another active user.".into(),
        ),
        Trouble::UnknownClientId => (
            "Salesforce does not know this client id",
            format!("No connected app in this org has the consumer key {client_id:?}: it is mistyped, or the app is new (a new app takes up to 10 minutes to reach every Salesforce server)."),
            "Copy the Consumer Key from Setup → App Manager → the app → View → Manage Consumer Details, and try again; wait a few minutes if the app was just created.".into(),
        ),
        Trouble::ApiDisabledForOrg => (
            "This org's edition has no API access",
            "Salesforce answered API_DISABLED_FOR_ORG: editions such as Professional without the API add-on, Essentials and Group cannot use the REST API.".into(),
            "Ask your Salesforce account executive for API access, or connect an Enterprise, Unlimited, Performance or Developer Edition org.".into(),
        ),
        Trouble::ApiDisabledForUser => (
            "The connected user lacks the \"API Enabled\" permission",
            format!("Salesforce answered API_CURRENTLY_DISABLED: {user}'s profile and permission sets do not grant \"API Enabled\"."),
            "In Setup → Profiles (or Permission Sets) → System Permissions, enable \"API Enabled\" for this user, then run the doctor again.".into(),
        ),
        Trouble::Unreachable { url, detail } => (
            "Salesforce could not be reached",
            format!("Leadline got no answer from {url}: {detail}."),
            "Check this computer's network connection, proxy or VPN, and https://status.salesforce.com. Nothing is lost meanwhile: bookings wait in the local queue.".into(),
        ),
        Trouble::BrowserTimeout { seconds } => (
            "No answer came back from the browser",
            format!("The Salesforce login was not finished within {} minutes.", seconds / 60),
            format!("Connect again and finish the login in the browser. If Salesforce showed \"redirect_uri_mismatch\", add {} to the connected app's Callback URL list.", callback_urls()),
        ),
        Trouble::CallbackPortBusy { detail } => (
            "The callback port is in use",
            format!("{detail}."),
            format!("Close the program using the port, or register another port's callback URL in the connected app and choose that port. The defaults are {}.", callback_urls()),
        ),
        Trouble::NearDailyLimit { used, limit } => {
            let share = if *limit > 0 { used * 100 / limit } else { 100 };
            (
                "The org is near its daily API request limit",
                format!("The org has used {used} of its {limit} daily API requests ({share}%). Past the limit Salesforce refuses every API call with REQUEST_LIMIT_EXCEEDED."),
                "Leadline pauses pushing near the limit and resumes as usage falls (the count is a rolling 24 hours). To go faster, reduce other integrations' usage or buy more API requests from Salesforce.".into(),
            )
        }
        Trouble::NoRefreshToken => (
            "Salesforce granted no refresh token",
            "The connected app's OAuth scopes lack \"Perform requests at any time (refresh_token, offline_access)\", so Leadline could work only until the session ends.".into(),
            "In Setup → App Manager → the app → Edit, add the scope \"Perform requests at any time (refresh_token, offline_access)\" beside \"Manage user data via APIs (api)\", save, and connect again.".into(),
        ),
        Trouble::OAuth { error, description } => (
            "Salesforce refused the authorization",
            format!(
                "Salesforce answered {error}{}.",
                description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
            ),
            format!("Check the connected app's settings (client id {client_id}, callback URLs {}, PKCE enabled) and connect again.", callback_urls()),
        ),
    };
    Explanation {
        title: title.to_string(),
        cause,
        fix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_answers_map_to_their_troubles() {
        let d = |s: &str| Some(s.to_string());
        let cases = [
            ("access_denied", None, true, Trouble::ConsentDenied),
            ("access-denied", None, true, Trouble::ConsentDenied),
            (
                "OAUTH_APP_BLOCKED",
                d("this app is blocked by admin"),
                true,
                Trouble::AppBlocked,
            ),
            (
                "invalid_client",
                d("app must be installed into org"),
                false,
                Trouble::AppBlocked,
            ),
            (
                "OAUTH_APP_ACCESS_DENIED",
                None,
                true,
                Trouble::AdminApprovalRequired,
            ),
            (
                "invalid_grant",
                d("user hasn't approved this consumer"),
                false,
                Trouble::AdminApprovalRequired,
            ),
            (
                "invalid_grant",
                d("ip restricted"),
                false,
                Trouble::IpRestricted,
            ),
            (
                "invalid_grant",
                d("inactive user"),
                false,
                Trouble::InactiveUser,
            ),
            (
                "invalid_grant",
                d("expired access/refresh token"),
                true,
                Trouble::RefreshExpiresImmediately,
            ),
            (
                "invalid_grant",
                d("expired access/refresh token"),
                false,
                Trouble::RefreshRevoked,
            ),
            ("invalid_client_id", None, true, Trouble::UnknownClientId),
        ];
        for (error, description, fresh, want) in cases {
            assert_eq!(from_oauth(error, &description, fresh), want, "{error}");
        }
        assert!(matches!(
            from_oauth("invalid_request", &None, true),
            Trouble::OAuth { .. }
        ));
    }

    #[test]
    fn every_explanation_has_a_cause_and_a_fix() {
        let all = [
            Trouble::ConsentDenied,
            Trouble::AppBlocked,
            Trouble::AdminApprovalRequired,
            Trouble::RefreshExpiresImmediately,
            Trouble::RefreshRevoked,
            Trouble::IpRestricted,
            Trouble::InactiveUser,
            Trouble::UnknownClientId,
            Trouble::ApiDisabledForOrg,
            Trouble::ApiDisabledForUser,
            Trouble::Unreachable {
                url: "https://x".into(),
                detail: "refused".into(),
            },
            Trouble::BrowserTimeout { seconds: 300 },
            Trouble::CallbackPortBusy {
                detail: "busy".into(),
            },
            Trouble::NearDailyLimit {
                used: 14_000,
                limit: 15_000,
            },
            Trouble::NoRefreshToken,
            Trouble::OAuth {
                error: "x".into(),
                description: None,
            },
        ];
        for t in &all {
            let e = explain(t, "client-1", Some("pat@acme.example"));
            assert!(
                !e.title.is_empty() && !e.cause.is_empty() && !e.fix.is_empty(),
                "{t:?}"
            );
        }
        let e = explain(
            &Trouble::NearDailyLimit {
                used: 14_000,
                limit: 15_000,
            },
            "c",
            None,
        );
        assert!(e.cause.contains("93%"), "{}", e.cause);
        let e = explain(&Trouble::AppBlocked, "client-1", None);
        assert!(e.cause.contains("client-1") && e.fix.contains("Unblock"));
    }
}
