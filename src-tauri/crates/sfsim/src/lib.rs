//! A local Salesforce for tests, benchmarks and the offline demo. It grows into a full org (OAuth,
//! REST, describe, collections, faults) with the sfsim issue; today it owns Salesforce's record ids.

pub mod ids;
