//! Password hashes (argon2id), computed and checked off the async threads,
//! a few at a time.

use crate::domain::account::MAX_PASSWORD_BYTES;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Argon2, PasswordHash as ParsedHash};

/// An argon2id hash in PHC form. Deliberately neither `Serialize` nor
/// `Debug`-printed: it never leaves the server, not even in a log line.
pub struct PasswordHash(String);

impl PasswordHash {
    /// A hash as the database keeps it.
    pub(crate) fn from_phc(phc: String) -> PasswordHash {
        PasswordHash(phc)
    }

    /// The PHC string, for the database only.
    pub(crate) fn phc(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

impl PasswordHash {
    /// Hashes with argon2id (the crate's default parameters: 19 MiB, 2
    /// passes). Slow on purpose; call it off the async threads.
    pub fn new(password: &str) -> PasswordHash {
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .expect("argon2 with default parameters cannot fail")
            .to_string();
        PasswordHash(hash)
    }

    /// Whether the password is this hash's. The decoy (an empty hash)
    /// takes as long and is never right; an overlong password is wrong
    /// without hashing.
    pub fn verify(&self, password: &str) -> bool {
        if password.len() > MAX_PASSWORD_BYTES {
            return false;
        }
        if self.0.is_empty() {
            std::hint::black_box(check_phc(decoy_phc(), password));
            return false;
        }
        check_phc(&self.0, password)
    }

    /// Hashes on a blocking thread, at most `HASHING`'s permits at once.
    pub async fn new_blocking(password: String) -> PasswordHash {
        let permit = HASHING
            .acquire()
            .await
            .expect("the hashing semaphore is never closed");
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            PasswordHash::new(&password)
        })
        .await
        .expect("hashing task panicked")
    }

    /// Verifies on a blocking thread, at most `HASHING`'s permits at once.
    pub async fn verify_blocking(self, password: String) -> bool {
        let Ok(permit) = HASHING.acquire().await else {
            return false;
        };
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            self.verify(&password)
        })
        .await
        .unwrap_or(false)
    }
}

/// Hashes computed at once, process-wide. Each takes 19 MiB and a core
/// for a while: a flood of log-ins queues here instead of taking all the
/// memory and every blocking thread.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

fn check_phc(phc: &str, password: &str) -> bool {
    ParsedHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The decoy's PHC string, made on first use (on the blocking thread that
/// verifies against it, not on an async one).
fn decoy_phc() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| PasswordHash::new("decoy-password-0").0)
}

impl PasswordHash {
    /// A hash to check against when the user name does not exist, so that
    /// a wrong name takes as long as a wrong password. Nothing verifies
    /// against it (see [`PasswordHash::verify`]).
    pub fn decoy() -> PasswordHash {
        PasswordHash(String::new())
    }
}
