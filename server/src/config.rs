//! Configuration from the environment, with the ecosystem's names. A bad
//! value stops the start with a message naming the variable.

use app::domain::session::SessionPolicy;
use std::net::SocketAddr;

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub site_addr: SocketAddr,
    pub site_root: String,
    pub secure_cookies: bool,
    pub session: SessionPolicy,
    pub max_connections: u32,
    /// `YINGJI_TEST_CLOCK`: the browser tests' clock control, off by default.
    pub test_clock: bool,
    /// `YINGJI_TRUSTED_PROXIES`: reverse proxies whose `X-Forwarded-For`
    /// is believed (comma-separated addresses).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{var}: {reason} (got {value:?})")]
pub struct ConfigError {
    pub var: &'static str,
    pub value: String,
    pub reason: &'static str,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://yingji.db?mode=rwc";

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `get` (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let database_url = get("DATABASE_URL")
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        if app::platform::db::Backend::from_url(&database_url).is_none() {
            return Err(ConfigError {
                var: "DATABASE_URL",
                value: database_url,
                reason: "must start with sqlite: or postgres://",
            });
        }
        let addr_raw = get("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".to_string());
        let site_addr = addr_raw.parse().map_err(|_| ConfigError {
            var: "LEPTOS_SITE_ADDR",
            value: addr_raw.clone(),
            reason: "must be an address with a port, like 127.0.0.1:3000",
        })?;
        let site_root = get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".to_string());
        let secure_cookies = flag(&get, "YINGJI_SECURE_COOKIES")?;
        let idle_minutes = number(&get, "YINGJI_SESSION_IDLE_MINUTES", 120, 1, 7 * 24 * 60)?;
        let max_hours = number(&get, "YINGJI_SESSION_MAX_HOURS", 12, 1, 30 * 24)?;
        let max_connections = number(&get, "YINGJI_DB_MAX_CONNECTIONS", 8, 1, 200)? as u32;
        let test_clock = flag(&get, "YINGJI_TEST_CLOCK")?;
        let proxies_raw = get("YINGJI_TRUSTED_PROXIES").unwrap_or_default();
        let trusted_proxies = proxies_raw
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                a.parse().map_err(|_| ConfigError {
                    var: "YINGJI_TRUSTED_PROXIES",
                    value: proxies_raw.clone(),
                    reason: "must be IP addresses separated by commas, like 127.0.0.1,::1",
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Config {
            database_url,
            site_addr,
            site_root,
            secure_cookies,
            session: SessionPolicy {
                idle_secs: idle_minutes * 60,
                absolute_secs: max_hours * 3600,
            },
            max_connections,
            test_clock,
            trusted_proxies,
        })
    }
}

fn flag(get: &impl Fn(&str) -> Option<String>, var: &'static str) -> Result<bool, ConfigError> {
    match get(var).as_deref().map(str::trim) {
        None | Some("") | Some("0") | Some("false") | Some("no") => Ok(false),
        Some("1") | Some("true") | Some("yes") => Ok(true),
        Some(other) => Err(ConfigError {
            var,
            value: other.to_string(),
            reason: "must be true or false",
        }),
    }
}

fn number(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: i64,
    min: i64,
    max: i64,
) -> Result<i64, ConfigError> {
    match get(var) {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ConfigError {
                var,
                value: raw,
                reason: "must be a whole number in range",
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_give_a_sqlite_file_on_localhost() {
        let c = with(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert!(!c.secure_cookies);
        assert_eq!(c.session.idle_secs, 7200);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        assert_eq!(
            with(&[("LEPTOS_SITE_ADDR", "localhost")]).unwrap_err().var,
            "LEPTOS_SITE_ADDR"
        );
        assert_eq!(
            with(&[("DATABASE_URL", "mysql://x")]).unwrap_err().var,
            "DATABASE_URL"
        );
        assert_eq!(
            with(&[("YINGJI_SECURE_COOKIES", "maybe")]).unwrap_err().var,
            "YINGJI_SECURE_COOKIES"
        );
        assert_eq!(
            with(&[("YINGJI_SESSION_IDLE_MINUTES", "0")])
                .unwrap_err()
                .var,
            "YINGJI_SESSION_IDLE_MINUTES"
        );
    }

    #[test]
    fn postgres_and_secure_cookies_are_taken() {
        let c = with(&[
            ("DATABASE_URL", "postgres://u@127.0.0.1/y"),
            ("YINGJI_SECURE_COOKIES", "true"),
        ])
        .unwrap();
        assert!(c.secure_cookies);
        assert!(c.database_url.starts_with("postgres://"));
    }
}
