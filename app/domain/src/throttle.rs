//! Slowing down password guessing. After a few failed log-ins in a row a
//! name must wait, longer after each failure; after more it is locked for a
//! while. Counted per user name and, with more room, per client address
//! (guessing one password for many names), in the database, so every app
//! instance sees the same count. Times are Unix seconds, passed in.

use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv6Addr};

/// The longest wait between attempts [`LoginThrottle::verdict`] asks for.
const MAX_WAIT_SECS: i64 = 1 << 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginThrottle {
    /// Failures before each further attempt must wait.
    pub slow_after: usize,
    /// Failures that lock the name.
    pub lock_after: usize,
    /// Only failures this recent count.
    pub window_secs: i64,
    pub lock_secs: i64,
    /// The longest wait between attempts.
    pub max_wait_secs: i64,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            slow_after: 3,
            lock_after: 6,
            window_secs: 15 * 60,
            lock_secs: 15 * 60,
            max_wait_secs: MAX_WAIT_SECS,
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
            let wait = (1i64 << (n - self.slow_after + 1).min(10)).min(self.max_wait_secs);
            let until = last + wait;
            if now < until {
                return Verdict::Wait { until };
            }
        }
        Verdict::Allowed
    }

    /// How far back failures can matter to a verdict now: a burst is one
    /// window long, and its lock (or its longest wait) runs from its last
    /// failure.
    pub fn lookback_secs(&self) -> i64 {
        self.window_secs + self.lock_secs.max(MAX_WAIT_SECS)
    }

    /// The limit per client address. Roomier than per name, and it only
    /// slows down, never locks: the people of one office sign in from one
    /// address (behind NAT, or a proxy not configured as trusted), and
    /// whoever can reach the server must not be able to lock them all
    /// out. After ten failures each attempt waits, up to half a minute:
    /// about two names a minute, far too slow to spray a password.
    pub fn per_client() -> LoginThrottle {
        LoginThrottle {
            slow_after: 10,
            lock_after: usize::MAX,
            window_secs: 15 * 60,
            lock_secs: 0,
            max_wait_secs: 30,
        }
    }
}

/// The verdict that lets the attempt in later: locked if either is
/// locked, until the later of the two times.
pub fn stricter(a: Verdict, b: Verdict) -> Verdict {
    let until = |v: Verdict| match v {
        Verdict::Allowed => None,
        Verdict::Wait { until } | Verdict::Locked { until } => Some(until),
    };
    let Some(until) = until(a).max(until(b)) else {
        return Verdict::Allowed;
    };
    if matches!(a, Verdict::Locked { .. }) || matches!(b, Verdict::Locked { .. }) {
        Verdict::Locked { until }
    } else {
        Verdict::Wait { until }
    }
}

/// The key failures of a user name are counted under.
pub fn user_key(username: &str) -> String {
    format!("user:{username}")
}

/// The key failures from a client address are counted under. An IPv6
/// client usually holds a whole /64, so that is the unit; an IPv4 address
/// seen through an IPv6 socket counts as itself.
pub fn client_key(addr: Option<IpAddr>) -> String {
    let addr = addr.map(|a| match a {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(a),
        v4 => v4,
    });
    match addr {
        None => "addr:unknown".to_string(),
        Some(IpAddr::V4(v4)) => format!("addr:{v4}"),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("addr:{net}/64")
        }
    }
}

/// How many lock rows keys share (see [`lock_slot`]).
pub const LOCK_SLOTS: i64 = 1024;

/// The lock row a key is serialized under: a fixed hash (FNV-1a, the same
/// in every app instance) into [`LOCK_SLOTS`] rows, so that the lock table
/// never grows with the names and addresses tried. Two keys sharing a row
/// only take turns.
pub fn lock_slot(key: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % LOCK_SLOTS as u64) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: LoginThrottle = LoginThrottle {
        slow_after: 3,
        lock_after: 6,
        window_secs: 900,
        lock_secs: 900,
        max_wait_secs: MAX_WAIT_SECS,
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

    #[test]
    fn failures_older_than_the_lookback_cannot_change_a_verdict() {
        for t in [T, LoginThrottle::per_client()] {
            // The worst case: a burst just long enough to lock, from 0 on.
            let burst: Vec<i64> = (0..t.lock_after.min(40) as i64).collect();
            let last = *burst.last().unwrap();
            for now in (last..last + 3 * t.lookback_secs()).step_by(7) {
                let recent: Vec<i64> = burst
                    .iter()
                    .copied()
                    .filter(|f| *f >= now - t.lookback_secs())
                    .collect();
                assert_eq!(t.verdict(&burst, now), t.verdict(&recent, now), "at {now}");
            }
        }
    }

    #[test]
    fn a_client_address_gets_more_room_than_a_name_but_not_unlimited() {
        let c = LoginThrottle::per_client();
        let ten: Vec<i64> = (100..110).collect();
        assert_eq!(c.verdict(&ten[..9], 110), Verdict::Allowed);
        assert_eq!(c.verdict(&ten, 110), Verdict::Wait { until: 111 });
        let hundred: Vec<i64> = (100..200).collect();
        assert_eq!(
            c.verdict(&hundred, 200),
            Verdict::Wait { until: 229 },
            "never locked, at most half a minute"
        );
    }

    #[test]
    fn the_stricter_verdict_is_locked_if_either_is_and_lasts_the_longer() {
        use Verdict::*;
        assert_eq!(stricter(Allowed, Allowed), Allowed);
        assert_eq!(stricter(Allowed, Wait { until: 5 }), Wait { until: 5 });
        assert_eq!(
            stricter(Wait { until: 9 }, Wait { until: 5 }),
            Wait { until: 9 }
        );
        assert_eq!(
            stricter(Wait { until: 9 }, Locked { until: 5 }),
            Locked { until: 9 }
        );
        assert_eq!(stricter(Locked { until: 7 }, Allowed), Locked { until: 7 });
    }

    #[test]
    fn clients_are_counted_by_ipv4_address_or_ipv6_64() {
        let key = |s: &str| client_key(Some(s.parse().unwrap()));
        assert_eq!(key("10.0.0.7"), "addr:10.0.0.7");
        assert_eq!(key("::ffff:10.0.0.7"), "addr:10.0.0.7");
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "addr:2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:bbbb::9"), key("2001:db8:1:2::1"));
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
        assert_eq!(client_key(None), "addr:unknown");
        assert_eq!(user_key("admin"), "user:admin");
    }

    #[test]
    fn lock_slots_are_fixed_and_in_range() {
        assert_eq!(lock_slot("user:admin"), lock_slot("user:admin"));
        // FNV-1a of the empty key is its offset basis.
        assert_eq!(lock_slot(""), (0xcbf2_9ce4_8422_2325u64 % 1024) as i64);
        let slots: std::collections::HashSet<i64> =
            (0..200).map(|i| lock_slot(&format!("user:u{i}"))).collect();
        assert!(slots.iter().all(|s| (0..LOCK_SLOTS).contains(s)));
        assert!(
            slots.len() > 150,
            "keys spread over the slots: {}",
            slots.len()
        );
    }
}
