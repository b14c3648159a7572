//! End-to-end tests over HTTP (one test binary).

mod access;
mod access_deals;
mod auth;
mod campaigns;
mod deals;
mod demo;
mod errors;
mod hardening;
mod import_export;
mod indexing;
mod marketplace;
mod models;
mod money;
mod money_props;
mod ops;
mod privacy;
mod search;
mod transport;
mod web;
