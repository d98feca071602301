//! What every request on the server shares: the database, the settings and
//! the clock. Built once by the binary, handed to server functions through
//! Leptos context and to handlers through axum state.

use crate::domain::session::SessionPolicy;
use crate::domain::throttle::LoginThrottle;
use crate::platform::db::Db;
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
    /// Failed log-ins per user name.
    pub throttle: LoginThrottle,
    /// Failed log-ins per client address (`LoginThrottle::per_client()`
    /// in a real server; the derived default is the stricter per-name one).
    pub client_throttle: LoginThrottle,
    /// Lets browser tests move the server's clock (`POST /test/clock`).
    /// Off unless `YINGJI_TEST_CLOCK` is set; never for a real deployment.
    pub test_clock: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client
    /// (`YINGJI_TRUSTED_PROXIES`); from anyone else the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
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

    /// The district's today and this instant, read once together (the one
    /// way "today" is computed: `platform::today_at`).
    pub fn today_and_now(&self) -> Result<(chrono::NaiveDate, i64), crate::error::AppError> {
        let now = self.now_secs();
        Ok((crate::platform::today_at(now)?, now))
    }

    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }

    /// Back to real time.
    pub fn reset(&self) {
        self.offset_secs.store(0, Ordering::Relaxed);
    }
}

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: Arc<Clock>,
    /// Public certificate checks per client address.
    pub verify_limiter: Arc<RateLimiter>,
}

/// Certificate checks one address may make per minute: enough for a
/// person scanning codes, too few to walk the number space.
pub const VERIFY_PER_MINUTE: u32 = 30;

/// Keys one limiter holds at most.
const MAX_KEYS: usize = 100_000;

/// A fixed-window counter per key (a client address), in memory: each app
/// instance counts its own clients.
#[derive(Debug)]
pub struct RateLimiter {
    per_window: u32,
    window_secs: u64,
    seen: std::sync::Mutex<std::collections::HashMap<String, (u64, u32)>>,
}

impl RateLimiter {
    pub fn new(per_window: u32, window_secs: u64) -> RateLimiter {
        RateLimiter {
            per_window,
            window_secs,
            seen: Default::default(),
        }
    }

    /// Counts a request from `key` at `now` (seconds); false when over.
    pub fn allow(&self, key: &str, now: u64) -> bool {
        let window = now / self.window_secs;
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= MAX_KEYS && !seen.contains_key(key) {
            seen.retain(|_, (w, _)| *w == window);
            // Still full within one window: a flood of addresses. New ones
            // wait for the next window rather than grow the map.
            if seen.len() >= MAX_KEYS {
                return false;
            }
        }
        let entry = seen.entry(key.to_string()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= self.per_window
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_districts_day_of_the_clock() {
        let c = Clock::default();
        let (d0, n0) = c.today_and_now().unwrap();
        assert_eq!(Some(d0), crate::domain::local_date(n0));
        c.advance(86_400);
        let (d1, n1) = c.today_and_now().unwrap();
        assert!(
            (86_400..86_460).contains(&(n1 - n0)),
            "a day on, give or take a tick"
        );
        assert_eq!(Some(d1), crate::domain::local_date(n1));
        assert!(d1 > d0, "moving the clock moves today");
    }

    #[test]
    fn the_limiter_counts_per_key_and_per_window() {
        let l = RateLimiter::new(2, 60);
        assert!(l.allow("a", 120) && l.allow("a", 121));
        assert!(!l.allow("a", 122), "the third in a minute");
        assert!(l.allow("b", 122), "another address has its own count");
        assert!(l.allow("a", 180), "the next minute starts over");
    }

    #[test]
    fn a_flood_of_new_keys_cannot_grow_the_limiter_without_bound() {
        let l = RateLimiter::new(2, 60);
        for i in 0..MAX_KEYS {
            assert!(l.allow(&i.to_string(), 60));
        }
        assert!(!l.allow("one more", 61), "full within the window");
        assert!(l.allow("0", 62), "a known key still counts");
        assert!(l.allow("one more", 120), "the next window makes room");
    }
}
