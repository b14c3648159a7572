//! The storage suite, run against SQLite and PostgreSQL alike.

mod harness;
mod profiles;
