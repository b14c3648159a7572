//! The storage suite, run against SQLite and PostgreSQL alike.

mod accounts;
mod harness;
mod ledger;
mod market;
mod profiles;
mod tenancy;
