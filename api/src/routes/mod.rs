//! HTTP routes, one module per resource; handlers extract, call a service and
//! map the result.

pub mod auth;
pub mod campaigns;
pub mod events;
pub mod health;
pub mod keys;
pub mod models;
pub mod openapi;
pub mod orgs;
pub mod privacy;
pub mod profiles;
pub mod search;
pub mod shortlists;
pub mod web;
