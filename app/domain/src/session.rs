//! When a session stops being valid: after a stretch of inactivity (idle
//! expiry) or a fixed time after log-in whatever happens (absolute expiry).
//! Times are Unix seconds, passed in.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPolicy {
    pub idle_secs: i64,
    pub absolute_secs: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_secs: 2 * 3600,
            absolute_secs: 12 * 3600,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Valid,
    IdleExpired,
    AbsoluteExpired,
}

/// How often a session's last-seen time is written back: not on every
/// request, so that reading pages does not turn into writes.
pub const TOUCH_EVERY_SECS: i64 = 60;

impl SessionPolicy {
    pub fn state(&self, created_at: i64, last_seen_at: i64, now: i64) -> SessionState {
        if now - created_at >= self.absolute_secs {
            SessionState::AbsoluteExpired
        } else if now - last_seen_at >= self.idle_secs {
            SessionState::IdleExpired
        } else {
            SessionState::Valid
        }
    }

    pub fn needs_touch(&self, last_seen_at: i64, now: i64) -> bool {
        now - last_seen_at >= TOUCH_EVERY_SECS.min(self.idle_secs / 2).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_expires_when_idle_too_long_or_too_old() {
        let p = SessionPolicy {
            idle_secs: 100,
            absolute_secs: 1000,
        };
        assert_eq!(p.state(0, 0, 99), SessionState::Valid);
        assert_eq!(p.state(0, 0, 100), SessionState::IdleExpired);
        assert_eq!(p.state(0, 950, 1000), SessionState::AbsoluteExpired);
        assert_eq!(p.state(0, 950, 999), SessionState::Valid);
    }

    #[test]
    fn last_seen_is_written_back_at_most_once_a_minute() {
        let p = SessionPolicy::default();
        assert!(!p.needs_touch(1000, 1059));
        assert!(p.needs_touch(1000, 1060));
    }
}
