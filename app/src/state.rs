//! What every request on the server shares: the database, the settings and
//! the clock. Built once by the binary, handed to server functions through
//! Leptos context and to handlers through axum state.

use crate::db::Db;
use crate::domain::session::SessionPolicy;
use crate::domain::throttle::LoginThrottle;
use axum::extract::FromRef;
use chrono::{DateTime, Utc};
use leptos::prelude::LeptosOptions;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Settings that change behaviour (read from the environment by the binary).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Mark cookies `Secure` (deployments behind TLS).
    pub secure_cookies: bool,
    pub session: SessionPolicy,
    pub throttle: LoginThrottle,
    /// Lets browser tests move the server's clock (`POST /test/clock`).
    /// Off unless `YINGJI_TEST_CLOCK` is set; never for a real deployment.
    pub test_clock: bool,
}

/// The server's notion of now. Real time plus an offset that only tests
/// move (to expire sessions or lift a lockout without waiting).
#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    pub fn now_secs(&self) -> i64 {
        self.now().timestamp()
    }

    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }
}

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: Arc<Clock>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
