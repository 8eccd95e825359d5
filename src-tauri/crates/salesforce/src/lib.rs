//! Salesforce's wire protocol as Leadline speaks it: login hosts and, as the connection issue
//! lands, OAuth and the REST client. This crate knows nothing of bookings or calendars.

pub mod limit_info;
pub mod login_host;

pub use limit_info::ApiUsage;
pub use login_host::LoginHost;
