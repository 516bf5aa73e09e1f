//! Password hashing (Argon2id via `password-auth`), off the async threads.
//!
//! The parameters are `password-auth`'s, the `argon2` crate's defaults, which follow OWASP's
//! recommendation: Argon2id, 19 MiB of memory, 2 passes, 1 lane; a check takes about 30 ms of
//! one core in a release build on the 2-core reference machine. Login checks go through a
//! [`Hasher`], which starts at most 2 checks per core per second (a rate, `governor`'s GCRA),
//! runs at most half the cores' worth at once and lets a bounded number wait: beyond that a
//! login is refused at once with 503. A flood of logins then costs the interviewers about a
//! twentieth of the machine's time in checks instead of every core (at 4 per core, measured,
//! a flood from many addresses cost up to 19–24 % of the answers on the 2-core machine); a
//! call centre's shift start (dozens of logins in a minute from new workstations) stays within
//! the rate, and known workstations do not count against it.
//! Hashing a new password (an administrator creating an account or changing a password) is
//! rare and authenticated, so it does not go through it.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use rand::Rng;
use rand::distributions::Alphanumeric;
use tokio::sync::Semaphore;

use crate::error::AppError;

/// Hashes a password into a PHC string.
pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Runs login password checks at a bounded rate, with bounded concurrency and a bounded queue.
#[derive(Debug)]
pub struct Hasher {
    rate: DefaultDirectRateLimiter,
    running: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl Hasher {
    /// At most `per_second` checks started per second, `burst` of them at once after a quiet
    /// moment, `workers` running at once and `max_waiting` waiting for their turn.
    pub fn new(per_second: u32, burst: u32, workers: usize, max_waiting: usize) -> Hasher {
        let per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(per_second);
        Hasher {
            rate: RateLimiter::direct(Quota::per_second(per_second).allow_burst(burst)),
            running: Semaphore::new(workers.max(1)),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// 2 checks per core per second, 4 per core at once after a quiet moment (a few people
    /// logging in together, or someone mistyping a few times, are all checked); half the cores
    /// (at least one) check at once; 16 checks per worker may wait.
    pub fn for_this_machine() -> Hasher {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let workers = (cores / 2).max(1);
        Hasher::new(2 * cores as u32, 4 * cores as u32, workers, 16 * workers)
    }

    /// Checks a password against a PHC string, when a worker is free; refused with 503 when
    /// too many checks are already waiting, or, for a check that counts against the rate
    /// (`rated`), when the rate is spent. A login from the user's usual workstation is not
    /// rated: a flood of strangers' logins cannot spend its turn.
    pub async fn verify(
        &self,
        password: String,
        hash: String,
        rated: bool,
    ) -> Result<bool, AppError> {
        let busy =
            || AppError::Busy("trop de connexions en cours : réessayez dans un instant".to_owned());
        if rated && self.rate.check().is_err() {
            return Err(busy());
        }
        let queued = self.waiting.fetch_add(1, Ordering::AcqRel);
        let waiting = Waiting(&self.waiting);
        if queued >= self.max_waiting {
            return Err(busy());
        }
        let _turn = self
            .running
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        drop(waiting);
        tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok())
            .await
            .map_err(|e| AppError::Internal(e.to_string()))
    }
}

/// Takes a check off the waiting count once it runs or is abandoned.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A random 16-character password for generated accounts.
pub fn generate() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(16)
        .map(char::from)
        .collect()
}

/// The longest password: within the 1,000 bytes a login accepts, whatever its characters.
const PASSWORD_MAX_CHARS: usize = 200;

/// Refuses passwords too short to be worth hashing, or too long to be typed at login.
pub fn check_strength(password: &str) -> Result<(), AppError> {
    let length = password.chars().count();
    if length < 10 {
        return Err(AppError::Invalid(
            "le mot de passe doit compter au moins 10 caractères".to_owned(),
        ));
    }
    if length > PASSWORD_MAX_CHARS {
        return Err(AppError::Invalid(
            "le mot de passe dépasse 200 caractères".to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn checks_beyond_the_rate_are_refused_at_once() {
        let hash = password_auth::generate_hash("bon-mot-de-passe");
        let hasher = Hasher::new(2, 2, 4, 100);
        for _ in 0..2 {
            let checked = hasher
                .verify("mauvais".to_owned(), hash.clone(), true)
                .await;
            assert!(matches!(checked, Ok(false)), "{checked:?}");
        }
        let refused = hasher
            .verify("bon-mot-de-passe".to_owned(), hash, true)
            .await;
        assert!(matches!(refused, Err(AppError::Busy(_))), "{refused:?}");
    }

    #[tokio::test]
    async fn checks_beyond_the_queue_are_refused_at_once_and_the_others_complete() {
        let hash = password_auth::generate_hash("bon-mot-de-passe");
        let hasher = Arc::new(Hasher::new(1000, 1000, 1, 2));
        let checks: Vec<_> = (0..8)
            .map(|_| {
                let hasher = Arc::clone(&hasher);
                let hash = hash.clone();
                tokio::spawn(async move { hasher.verify("mauvais".to_owned(), hash, true).await })
            })
            .collect();
        let mut refused = 0;
        let mut checked = 0;
        for check in checks {
            match check.await.expect("task") {
                Ok(ok) => {
                    assert!(!ok);
                    checked += 1;
                }
                Err(AppError::Busy(_)) => refused += 1,
                Err(e) => panic!("{e:?}"),
            }
        }
        assert!(refused >= 1, "refused {refused}");
        assert!(checked >= 1, "checked {checked}");
        assert!(
            hasher
                .verify("bon-mot-de-passe".to_owned(), hash, true)
                .await
                .expect("a free hasher checks")
        );
    }
}
