//! The integration tests, one binary (one link of the router instead of
//! one per file): the real router driven as a browser drives it, the
//! storage on SQLite and PostgreSQL, the `yingji` commands as a user runs
//! them. `common` holds the fixtures (a fresh database per test, a small
//! district, `TestApp`). `pages_under_load` keeps a process of its own.

#[macro_use]
mod common;

mod assessment;
mod cli;
mod daily_reports;
mod database;
mod drills;
mod duty;
mod hardening;
mod http;
mod incident_reports;
mod instances;
mod login;
mod navigation;
mod operations;
mod registry;
mod scope;
mod textareas;
mod training;
