//! The outbox worker and what it decides. A due job is classified when Salesforce refuses it
//! (retry, pause for the daily limit, wait for a reconnect, or stop and ask a person), waits by
//! exponential backoff with full jitter between attempts, travels with the other due jobs of its
//! integration in sObject Collections requests of up to 200 records, and ends up in the sync log,
//! whose Data Loader style success and error files are written here too. These pieces are pure
//! (no SQL, no HTTP) so the worker that drives them stays small and they are tested on their own.

pub mod backoff;
pub mod batch;
pub mod classify;
pub mod csv_export;
pub mod worker;
