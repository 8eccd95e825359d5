//! Salesforce's wire protocol as Leadline speaks it: login hosts, the browser sign-in machinery
//! shared by team sign-in (OpenID Connect) and the Salesforce connection, and
//! the REST client. This crate knows nothing of bookings or calendars.
//!
//! The sign-in layers, bottom up: [`browser`] opens a URL, [`loopback`] receives the provider's
//! redirect on 127.0.0.1, [`authflow`] runs the authorization-code flow with PKCE over them, and
//! [`oidc`] turns it into a verified identity. [`connect`] shapes the same flow into the
//! connection of an org, whose API [`rest`] then calls, renewing the session as it expires.
//! Tokens travel as [`Secret`]s.

pub mod authflow;
pub mod browser;
pub mod connect;
pub mod limit_info;
pub mod login_host;
pub mod loopback;
pub mod oidc;
pub mod rest;
pub mod secret;

pub use authflow::{AuthError, AuthFlow, AuthorizationRequest, Authorized, TokenResponse};
pub use browser::{Browser, BrowserError, SystemBrowser};
pub use limit_info::ApiUsage;
pub use login_host::LoginHost;
pub use loopback::{CallbackListener, CallbackPorts, CancellationToken, LoopbackError};

pub use rest::{RestClient, RestError};

pub use oidc::{Identity, OidcError, Provider, SignInOptions, SignedIn};
pub use secret::Secret;
