//! HTTP routes, one module per resource; handlers extract, call a service and
//! map the result.

pub mod auth;
pub mod health;
pub mod openapi;
pub mod profiles;
pub mod search;
