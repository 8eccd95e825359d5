//! What Leadline knows about why Salesforce refuses: each known trouble — a blocked app, admin
//! pre-approval, a refresh-token policy, IP restrictions, an edition or user without API access,
//! an unreachable org, the daily limit — turned into its cause and its fix in a Salesforce admin's
//! words. Connecting, the doctor and the sync log all explain failures from here — the sync log
//! also every error Salesforce reports for one record — so the advice an admin reads is the same
//! wherever the failure shows up.

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

/// `LastName`, `LastName and Company`, `LastName, Company and Email`.
fn field_names(fields: &[String]) -> Option<String> {
    match fields {
        [] => None,
        [one] => Some(one.clone()),
        [rest @ .., last] => Some(format!("{} and {last}", rest.join(", "))),
    }
}

/// Salesforce's own words, as a sentence to append; nothing when it said nothing.
fn salesforce_said(message: &str) -> String {
    let message = message.trim();
    if message.is_empty() {
        String::new()
    } else {
        format!(" Salesforce said: \"{message}\"")
    }
}

/// Cause and fix for an error Salesforce reported for one record (or a whole request), for the
/// sync log. `fields` and `duplicate_ids` come from the error as Salesforce sent it; the text
/// names them so support can act without reading the raw answer. Whether the worker retries by
/// itself follows [`crate::sync::classify`], and the fix says so, so nobody retries by hand what
/// Leadline is already retrying.
pub fn explain_record_error(
    code: &ApiErrorCode,
    message: &str,
    fields: &[String],
    duplicate_ids: &[String],
) -> Explanation {
    let named = field_names(fields);
    let said = salesforce_said(message);
    let field_or = |fallback: &str| named.clone().unwrap_or_else(|| fallback.to_string());
    let (title, cause, fix): (&str, String, String) = match code {
        ApiErrorCode::RequiredFieldMissing => (
            "A field Salesforce requires had no value",
            format!(
                "Salesforce requires {} on every Lead, and this booking left it empty: no mapping row feeds it, or the question that feeds it is optional and the guest did not answer it.{said}",
                field_or("a field")
            ),
            format!(
                "In the calendar's Salesforce integration, map {} to a question or a fixed value, and make that question required so every guest has to answer it (the mapping check offers \"Make the question required\"). Then retry; if this guest left the answer empty, map a fixed value first or skip the booking.",
                field_or("the required field")
            ),
        ),
        ApiErrorCode::InvalidField => (
            "The mapping names a field the org no longer has",
            format!(
                "{} does not exist on the Lead object any more — it was deleted or renamed in Setup — or the connected Salesforce user cannot see it.{said}",
                field_or("A mapped field")
            ),
            "Open the calendar's Salesforce integration, click Refresh to reload the org's fields, and fix or remove the row the check marks as deleted. Then retry.".into(),
        ),
        ApiErrorCode::StringTooLong => (
            "A value is longer than its field",
            format!(
                "The answer sent to {} has more characters than the field holds.{said}",
                field_or("a text field")
            ),
            format!(
                "In the calendar's Salesforce integration, turn on \"Truncate\" on the row of {} so long answers are cut to the field's length, or make the question ask for a shorter answer. Then retry.",
                field_or("that field")
            ),
        ),
        ApiErrorCode::InvalidEmailAddress => (
            "Salesforce refused the email address",
            format!(
                "The value sent to {} is not an address Salesforce accepts — most often a full-width ＠ or full-width letters typed with a Japanese input method, or a stray space.{said}",
                field_or("the email field")
            ),
            format!(
                "Turn on \"Full-width to half-width\" (and trimming) on the row of {} in the calendar's Salesforce integration, then retry. If the address itself is wrong, get the right one from the guest or skip the booking.",
                field_or("the email field")
            ),
        ),
        ApiErrorCode::InvalidOrNullForRestrictedPicklist => (
            "A value is not one of the picklist's values",
            format!(
                "{} is a restricted picklist, and the value sent is empty or not one of its active values.{said}",
                field_or("A picklist field")
            ),
            format!(
                "In the calendar's Salesforce integration, add a picklist translation on the row of {} from the guest's answer to an active value; or add the value in Setup → Object Manager → Lead → Fields & Relationships → the field. Then retry.",
                field_or("that field")
            ),
        ),
        ApiErrorCode::InvalidFieldForInsertUpdate => (
            "The connected user may not write a mapped field",
            format!(
                "Salesforce refused to set {}: field-level security makes it read-only for the connected Salesforce user, or nobody can set it (a formula or system field).{said}",
                field_or("a mapped field")
            ),
            format!(
                "Remove the row of {} from the calendar's Salesforce integration, or grant the connected user Edit on the field (Setup → Object Manager → Lead → Fields & Relationships → the field → Set Field-Level Security, or a permission set). Then click Refresh on the integration and retry.",
                field_or("that field")
            ),
        ),
        ApiErrorCode::FieldCustomValidationException => (
            "A validation rule in the org refused the Lead",
            format!(
                "One of the org's validation rules blocked the save{}. The rule's text: \"{}\"",
                named.as_deref().map(|f| format!(" on {f}")).unwrap_or_default(),
                message.trim()
            ),
            "Make the booking's data satisfy the rule — map the field the rule asks for, or send a fixed value — or ask the org's admin to change the rule (Setup → Object Manager → Lead → Validation Rules), for example to exempt the connected user. Then retry.".into(),
        ),
        ApiErrorCode::DuplicatesDetected => (
            "The org's duplicate rule blocked this Lead",
            if duplicate_ids.is_empty() {
                format!("A duplicate rule matched this booking against records already in Salesforce, and the rule is set to Block — often the same guest booked more than once.{said}")
            } else {
                format!(
                    "A duplicate rule matched this booking against {} already in Salesforce ({}), and the rule is set to Block — often the same guest booked more than once.",
                    if duplicate_ids.len() == 1 { "a record" } else { "records" },
                    duplicate_ids.join(", ")
                )
            },
            "Open the matching records in Salesforce: if they are the same person, merge them or skip this booking. If such Leads should be saved anyway, set the rule's action on create to Allow with an alert (Setup → Duplicate Management → Duplicate Rules), then retry.".into(),
        ),
        ApiErrorCode::DuplicateValue => (
            "A unique field already holds this value",
            format!(
                "{} is unique in this org, and another record already holds the value this booking sends.{said}",
                field_or("A field")
            ),
            "Open the record the message names in Salesforce. If it is this booking's Lead, skip the booking; otherwise map a value that is unique to each booking, or ask the org's admin whether the field must be unique. Then retry.".into(),
        ),
        ApiErrorCode::JsonParserError | ApiErrorCode::MalformedQuery => (
            "Leadline sent Salesforce a request it could not read",
            format!("Salesforce answered {code}: this is a bug in Leadline, not a problem with the org or the booking.{said}"),
            "Report it to Leadline's support with this log entry and the exported error file. Retrying will not help until Leadline is fixed; the booking waits here meanwhile.".into(),
        ),
        ApiErrorCode::UnableToLockRow => (
            "The record was busy in Salesforce",
            format!("Another process — an assignment rule, a flow or trigger, or another integration loading data — held a lock on a related record while Leadline saved.{said}"),
            "Nothing to do: Leadline retries automatically with growing waits. If it keeps happening, look for bulk loads or flows running at the same time.".into(),
        ),
        ApiErrorCode::RequestLimitExceeded => (
            "The org reached its daily API request limit",
            format!("Salesforce refuses every API call once the org's requests of the last 24 hours reach its limit.{said}"),
            "Nothing is lost: Leadline pauses pushing and resumes by itself as usage falls. To resume sooner, reduce other integrations' API usage or buy more API requests from Salesforce.".into(),
        ),
        ApiErrorCode::InvalidSessionId => (
            "The Salesforce session expired",
            format!("The access token expired or was revoked.{said}"),
            "Nothing to do: Leadline renews the session automatically and retries. If this keeps appearing, connect again from Team settings → Integrations → Salesforce; queued bookings wait meanwhile.".into(),
        ),
        ApiErrorCode::ApiDisabledForOrg => return explain(&Trouble::ApiDisabledForOrg, "", None),
        ApiErrorCode::ApiCurrentlyDisabled => {
            return explain(&Trouble::ApiDisabledForUser, "", None);
        }
        ApiErrorCode::NotFound => (
            "The Lead no longer exists in Salesforce",
            format!("Leadline tried to update the Lead it made for this booking (after a reschedule), but the Lead was deleted in Salesforce.{said}"),
            "If the Lead should exist, restore it from Salesforce's Recycle Bin (kept 15 days) and retry; otherwise skip this booking.".into(),
        ),
        ApiErrorCode::ServerUnavailable => (
            "Salesforce was unavailable",
            format!("Salesforce answered SERVER_UNAVAILABLE: the org's instance is in maintenance or overloaded.{said}"),
            "Nothing to do: Leadline retries automatically. https://status.salesforce.com shows the instance's maintenance windows.".into(),
        ),
        ApiErrorCode::Other(other) => return explain_other(other, message, named.as_deref()),
    };
    Explanation {
        title: title.to_string(),
        cause,
        fix,
    }
}

/// A code Leadline has no words of its own for: Salesforce's message, and what the worker does.
fn explain_other(code: &str, message: &str, fields: Option<&str>) -> Explanation {
    use crate::sync::classify::{Outcome, classify_code};
    let on = fields.map(|f| format!(" ({f})")).unwrap_or_default();
    let message = message.trim();
    // An update of a Lead that sales already converted: common after a reschedule, and the
    // generic text would not tell support that the Lead is fine.
    if code == "CANNOT_UPDATE_CONVERTED_LEAD" {
        return Explanation {
            title: "The Lead was already converted".into(),
            cause: "The booking was rescheduled, but the Lead made for it has been converted to a contact, account or opportunity in Salesforce, and a converted Lead cannot be updated.".into(),
            fix: "Nothing needs fixing in Leadline: update the converted record by hand in Salesforce if the new time matters, then skip this booking.".into(),
        };
    }
    let outcome = classify_code(&ApiErrorCode::Other(code.to_string()));
    let (title, cause) = match code.strip_prefix("HTTP_") {
        Some(status) => (
            format!("An unexpected HTTP {status} answer"),
            format!(
                "Something between Leadline and Salesforce — a proxy, firewall or load balancer — answered instead of Salesforce: \"{message}\""
            ),
        ),
        None => (
            format!("Salesforce refused the Lead ({code})"),
            format!("Salesforce answered {code}{on}: \"{message}\""),
        ),
    };
    let fix = match outcome {
        Outcome::Retryable => "Nothing to do yet: Leadline retries automatically. If it keeps failing, check the network path to Salesforce and https://status.salesforce.com.".to_string(),
        Outcome::Throttled => "Leadline pauses pushing and resumes by itself when Salesforce accepts requests again.".to_string(),
        Outcome::Auth => "Leadline renews the session automatically; if this persists, connect again from Team settings → Integrations → Salesforce.".to_string(),
        Outcome::Permanent => format!("Look {code} up in Salesforce's documentation or ask the org's admin, fix the booking, the mapping or the org accordingly, then retry — or skip the booking."),
    };
    Explanation { title, cause, fix }
}

/// Cause and fix for an error code as the sync log stores it: a Salesforce code
/// (`REQUIRED_FIELD_MISSING`), or one Leadline records itself — `invalid_grant` (the connection
/// must be made again), `unreachable` (no answer from Salesforce; `message` holds the detail) or
/// `mapping` (the booking failed the mapping's checks before anything was sent). Stored entries
/// keep no duplicate ids, so a stored `DUPLICATES_DETECTED` explains without them.
pub fn explain_code_text(code: &str, message: &str, fields: &[String]) -> Explanation {
    match code.to_ascii_lowercase().as_str() {
        "invalid_grant" => explain(&Trouble::RefreshRevoked, "", None),
        "unreachable" => {
            let detail = message.trim();
            explain(
                &Trouble::Unreachable {
                    url: "Salesforce".into(),
                    detail: if detail.is_empty() {
                        "no answer".into()
                    } else {
                        detail.to_string()
                    },
                },
                "",
                None,
            )
        }
        "mapping" => Explanation {
            title: "The booking's values fail the mapping's checks".into(),
            cause: format!(
                "Leadline did not send this booking, because Salesforce would refuse it{}: {}",
                field_names(fields)
                    .map(|f| format!(" ({f})"))
                    .unwrap_or_default(),
                message.trim()
            ),
            fix: "Open the calendar's Salesforce integration and preview this booking to see each failing check; fix the row or the question, then retry — or skip the booking if its answers cannot be used.".into(),
        },
        _ => {
            let Ok(parsed) = code.parse::<ApiErrorCode>();
            explain_record_error(&parsed, message, fields, &[])
        }
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

#[cfg(test)]
mod record_error_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::sync::classify::every_named_code;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn complete(e: &Explanation) -> bool {
        !e.title.trim().is_empty() && !e.cause.trim().is_empty() && !e.fix.trim().is_empty()
    }

    #[test]
    fn every_code_has_a_title_a_cause_and_a_fix() {
        let mut codes = every_named_code();
        codes.extend(
            [
                "INVALID_CROSS_REFERENCE_KEY",
                "UNKNOWN_EXCEPTION",
                "HTTP_502",
                "HTTP_401",
                "",
            ]
            .map(|c| ApiErrorCode::Other(c.into())),
        );
        for code in &codes {
            for (fields, ids) in [
                (vec![], vec![]),
                (strings(&["Company"]), strings(&["00Q1"])),
            ] {
                let e = explain_record_error(code, "m", &fields, &ids);
                assert!(complete(&e), "{code:?}: {e:?}");
            }
            // Empty Salesforce text still reads as sentences, never as `""`.
            let e = explain_record_error(code, "", &[], &[]);
            assert!(complete(&e), "{code:?}");
        }
        // Each named code has its own words (the two "Leadline bug" codes share theirs).
        let mut titles: Vec<String> = every_named_code()
            .iter()
            .map(|c| explain_record_error(c, "", &[], &[]).title)
            .collect();
        titles.sort();
        titles.dedup();
        assert_eq!(titles.len(), every_named_code().len() - 1, "{titles:?}");
    }

    #[test]
    fn the_fix_names_the_fields_and_the_setting_to_change() {
        let e = explain_record_error(
            &ApiErrorCode::RequiredFieldMissing,
            "Required fields are missing: [LastName, Company]",
            &strings(&["LastName", "Company"]),
            &[],
        );
        assert!(e.cause.contains("LastName and Company"), "{}", e.cause);
        assert!(e.fix.contains("Make the question required"), "{}", e.fix);
        assert!(e.cause.contains("Required fields are missing"));

        let e = explain_record_error(
            &ApiErrorCode::InvalidFieldForInsertUpdate,
            "Unable to create/update fields: Rating.",
            &strings(&["Rating"]),
            &[],
        );
        assert!(e.fix.contains("Rating") && e.fix.contains("Field-Level Security"));
        assert!(e.cause.contains("field-level security"));

        let e = explain_record_error(
            &ApiErrorCode::StringTooLong,
            "",
            &strings(&["Title", "Company", "City"]),
            &[],
        );
        assert!(e.fix.contains("Title, Company and City") && e.fix.contains("Truncate"));

        let e = explain_record_error(&ApiErrorCode::InvalidEmailAddress, "", &[], &[]);
        assert!(e.cause.contains('＠') && e.fix.contains("half-width"));

        let e = explain_record_error(&ApiErrorCode::InvalidField, "", &[], &[]);
        assert!(e.fix.contains("Refresh"));

        let e = explain_record_error(
            &ApiErrorCode::InvalidOrNullForRestrictedPicklist,
            "",
            &strings(&["Status"]),
            &[],
        );
        assert!(e.fix.contains("picklist translation") && e.fix.contains("Status"));
    }

    #[test]
    fn validation_rules_and_duplicates_carry_the_orgs_own_words() {
        let e = explain_record_error(
            &ApiErrorCode::FieldCustomValidationException,
            "電話番号を入力してください",
            &strings(&["Phone"]),
            &[],
        );
        assert!(e.cause.contains("電話番号を入力してください") && e.cause.contains("Phone"));

        let ids = strings(&["00Q5e00000AbCdEAAV", "00Q5e00000AbCdFAAV"]);
        let e = explain_record_error(
            &ApiErrorCode::DuplicatesDetected,
            "Use one of these records?",
            &[],
            &ids,
        );
        assert!(
            e.cause.contains("00Q5e00000AbCdEAAV, 00Q5e00000AbCdFAAV"),
            "{}",
            e.cause
        );
        assert!(e.fix.contains("merge") && e.fix.contains("Allow"));
    }

    #[test]
    fn transient_codes_say_leadline_retries_and_bugs_say_report() {
        for code in [
            ApiErrorCode::UnableToLockRow,
            ApiErrorCode::ServerUnavailable,
            ApiErrorCode::InvalidSessionId,
            ApiErrorCode::Other("UNKNOWN_EXCEPTION".into()),
        ] {
            let e = explain_record_error(&code, "", &[], &[]);
            assert!(e.fix.contains("automatically"), "{code:?}: {}", e.fix);
        }
        let e = explain_record_error(&ApiErrorCode::RequestLimitExceeded, "", &[], &[]);
        assert!(e.fix.contains("pauses"));
        for code in [ApiErrorCode::JsonParserError, ApiErrorCode::MalformedQuery] {
            let e = explain_record_error(&code, "", &[], &[]);
            assert!(
                e.cause.contains("bug") && e.fix.contains("Report"),
                "{code:?}"
            );
        }
        let e = explain_record_error(&ApiErrorCode::NotFound, "", &[], &[]);
        assert!(e.cause.contains("deleted") && e.fix.contains("Recycle Bin"));
    }

    #[test]
    fn api_disabled_reuses_the_connection_troubles() {
        assert_eq!(
            explain_record_error(&ApiErrorCode::ApiDisabledForOrg, "x", &[], &[]),
            explain(&Trouble::ApiDisabledForOrg, "", None)
        );
        assert_eq!(
            explain_record_error(&ApiErrorCode::ApiCurrentlyDisabled, "x", &[], &[]),
            explain(&Trouble::ApiDisabledForUser, "", None)
        );
    }

    #[test]
    fn unknown_codes_keep_salesforces_code_and_message() {
        let e = explain_record_error(
            &ApiErrorCode::Other("INVALID_CROSS_REFERENCE_KEY".into()),
            "invalid cross reference id",
            &strings(&["OwnerId"]),
            &[],
        );
        assert!(e.title.contains("INVALID_CROSS_REFERENCE_KEY"));
        assert!(e.cause.contains("invalid cross reference id") && e.cause.contains("OwnerId"));
        assert!(e.fix.contains("skip"), "a permanent code: {}", e.fix);
        let e = explain_record_error(
            &ApiErrorCode::Other("HTTP_502".into()),
            "<html>Bad Gateway</html>",
            &[],
            &[],
        );
        assert!(e.title.contains("502") && e.cause.contains("proxy"));
        assert!(e.fix.contains("automatically"));
        let e = explain_record_error(
            &ApiErrorCode::Other("CANNOT_UPDATE_CONVERTED_LEAD".into()),
            "",
            &[],
            &[],
        );
        assert!(e.title.contains("converted"));
    }

    #[test]
    fn stored_codes_are_explained_like_fresh_ones() {
        let fields = strings(&["LastName"]);
        assert_eq!(
            explain_code_text("STRING_TOO_LONG", "too long", &fields),
            explain_record_error(&ApiErrorCode::StringTooLong, "too long", &fields, &[])
        );
        assert_eq!(
            explain_code_text("SOMETHING_NEW", "m", &[]),
            explain_record_error(&ApiErrorCode::Other("SOMETHING_NEW".into()), "m", &[], &[])
        );
        assert_eq!(
            explain_code_text("invalid_grant", "expired access/refresh token", &[]),
            explain(&Trouble::RefreshRevoked, "", None)
        );
        let e = explain_code_text("unreachable", "connection refused", &[]);
        assert_eq!(e.title, "Salesforce could not be reached");
        assert!(e.cause.contains("connection refused"));
        assert!(
            explain_code_text("unreachable", "", &[])
                .cause
                .contains("no answer")
        );
        let e = explain_code_text(
            "mapping",
            "Email: taro＠example.com is not an email address",
            &fields,
        );
        assert_eq!(e.title, "The booking's values fail the mapping's checks");
        assert!(e.cause.contains("taro＠example.com") && e.cause.contains("LastName"));
        assert!(e.fix.contains("preview"));
    }
}
