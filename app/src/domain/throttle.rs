//! Slowing down password guessing. After a few failed log-ins in a row a
//! name must wait, longer after each failure; after more it is locked for a
//! while. Counted per user name in the database, so every app instance sees
//! the same count. Times are Unix seconds, passed in.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginThrottle {
    /// Failures before each further attempt must wait.
    pub slow_after: usize,
    /// Failures that lock the name.
    pub lock_after: usize,
    /// Only failures this recent count.
    pub window_secs: i64,
    pub lock_secs: i64,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            slow_after: 3,
            lock_after: 6,
            window_secs: 15 * 60,
            lock_secs: 15 * 60,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Too soon after the last failure: try again at this time.
    Wait {
        until: i64,
    },
    /// Locked until this time, whatever password is given.
    Locked {
        until: i64,
    },
}

impl LoginThrottle {
    /// `failures`: times of the failed attempts since the last success, in
    /// any order (at least those within `lookback_secs`).
    pub fn verdict(&self, failures: &[i64], now: i64) -> Verdict {
        let Some(last) = failures.iter().copied().max() else {
            return Verdict::Allowed;
        };
        // Failures that came in a burst: within one window before the last.
        let n = failures
            .iter()
            .filter(|t| last - **t < self.window_secs)
            .count();
        if n >= self.lock_after {
            let until = last + self.lock_secs;
            if now < until {
                return Verdict::Locked { until };
            }
            return Verdict::Allowed;
        }
        if n >= self.slow_after {
            // 2 s after the third failure, 4 s after the fourth, ...
            let wait = 1i64 << (n - self.slow_after + 1).min(10);
            let until = last + wait;
            if now < until {
                return Verdict::Wait { until };
            }
        }
        Verdict::Allowed
    }

    /// How far back failures can matter to a verdict now.
    pub fn lookback_secs(&self) -> i64 {
        self.window_secs + self.lock_secs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: LoginThrottle = LoginThrottle {
        slow_after: 3,
        lock_after: 6,
        window_secs: 900,
        lock_secs: 900,
    };

    #[test]
    fn two_failures_cost_nothing() {
        assert_eq!(T.verdict(&[100, 101], 102), Verdict::Allowed);
    }

    #[test]
    fn the_third_failure_makes_the_next_attempt_wait_and_the_wait_doubles() {
        assert_eq!(
            T.verdict(&[100, 101, 102], 103),
            Verdict::Wait { until: 104 }
        );
        assert_eq!(T.verdict(&[100, 101, 102], 104), Verdict::Allowed);
        assert_eq!(
            T.verdict(&[100, 101, 102, 105], 106),
            Verdict::Wait { until: 109 }
        );
    }

    #[test]
    fn six_failures_lock_the_name_for_the_lock_time() {
        let f = [100, 101, 103, 107, 115, 131];
        assert_eq!(T.verdict(&f, 140), Verdict::Locked { until: 1031 });
        assert_eq!(T.verdict(&f, 1030), Verdict::Locked { until: 1031 });
        assert_eq!(T.verdict(&f, 1031), Verdict::Allowed);
    }

    #[test]
    fn old_failures_fall_out_of_the_window() {
        assert_eq!(T.verdict(&[0, 1, 2], 1000), Verdict::Allowed);
        assert_eq!(T.verdict(&[2, 0, 1], 3), Verdict::Wait { until: 4 });
    }
}
