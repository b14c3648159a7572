//! The storage suite, run against SQLite and PostgreSQL alike.

mod accounts;
mod harness;
mod market;
mod profiles;
mod tenancy;
