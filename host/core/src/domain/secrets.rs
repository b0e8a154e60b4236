//! Secrets: random tokens (stored as SHA-256 digests) and passwords (stored as argon2id hashes).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::{Condvar, Mutex, OnceLock};

use super::error::{DomainError, DomainResult};

/// Bytes of randomness in every token Portico issues (API keys, reset codes, session tokens):
/// 256 bits, far past guessing.
pub const TOKEN_RANDOM_BYTES: usize = 32;

/// Longest password accepted; argon2 cost grows with input and nobody types more.
pub const MAX_PASSWORD_LENGTH: usize = 256;

/// Password hashes (argon2id: 19 MiB and ~20 ms of one core each) allowed to run at once, per
/// available core. Sign-in is unauthenticated: without this cap, a burst of sign-ins runs one
/// hash per blocking thread (up to 512) and 64 of them at once took 5 GB of memory. Beyond the cap
/// callers queue; throughput is the same because the hashes are CPU-bound anyway.
pub const PASSWORD_HASHES_PER_CORE: usize = 1;

/// A counting semaphore for blocking threads: `enter` waits until fewer than `capacity` holders.
pub struct Gate {
    capacity: usize,
    /// (holders, waiters)
    state: Mutex<(usize, usize)>,
    freed: Condvar,
}

/// Holding a place in a `Gate`; the place is given back on drop.
pub struct GatePass<'a>(&'a Gate);

impl Gate {
    /// A gate for `capacity` holders at once (at least one).
    pub fn new(capacity: usize) -> Gate {
        Gate {
            capacity: capacity.max(1),
            state: Mutex::new((0, 0)),
            freed: Condvar::new(),
        }
    }

    /// Waits until a place is free and holds it until the pass is dropped.
    pub fn enter(&self) -> GatePass<'_> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.1 += 1;
        while state.0 >= self.capacity {
            state = self.freed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.1 -= 1;
        state.0 += 1;
        GatePass(self)
    }

    /// Threads waiting to enter.
    #[cfg(test)]
    pub fn waiting(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).1
    }
}

impl Drop for GatePass<'_> {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0 -= 1;
        self.0.freed.notify_one();
    }
}

/// The process-wide gate every argon2 hash and verification passes through.
fn password_hashing_gate() -> &'static Gate {
    static GATE: OnceLock<Gate> = OnceLock::new();
    GATE.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Gate::new(cores * PASSWORD_HASHES_PER_CORE)
    })
}

/// A new random token `prefix` + 43 URL-safe characters.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; TOKEN_RANDOM_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The digest under which a random token is stored. Tokens carry 256 bits of entropy, so a fast
/// hash is enough: a leaked database does not reveal usable tokens.
pub fn token_digest(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// The hex SHA-256 of some bytes (a plugin component's identity).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Checks a new password against the tenant's policy.
pub fn check_password_policy(password: &str, min_length: usize) -> DomainResult<()> {
    let length = password.chars().count();
    if length < min_length {
        return Err(DomainError::bad_request(
            "password_too_short",
            format!("password must be at least {min_length} characters long"),
        ));
    }
    if password.len() > MAX_PASSWORD_LENGTH {
        return Err(DomainError::bad_request(
            "password_too_long",
            format!("password must be at most {MAX_PASSWORD_LENGTH} bytes long"),
        ));
    }
    if password.trim().is_empty() {
        return Err(DomainError::bad_request(
            "password_blank",
            "password must not be blank",
        ));
    }
    Ok(())
}

/// Hashes a password with argon2id and a fresh salt (PHC string). CPU-heavy: call it outside
/// any write transaction.
pub fn hash_password(password: &str) -> DomainResult<String> {
    let mut salt_bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| DomainError::Internal(format!("salt encoding failed: {e}")))?;
    let _pass = password_hashing_gate().enter();
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the stored PHC hash. CPU-heavy like `hash_password`.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => {
            let _pass = password_hashing_gate().enter();
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_long() {
        let a = random_token("x_");
        let b = random_token("x_");
        assert_ne!(a, b);
        assert_eq!(a.len(), 2 + 43);
    }

    #[test]
    fn gate_never_admits_more_than_its_capacity() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let gate = Gate::new(2);
        let inside = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..16 {
                s.spawn(|| {
                    let _pass = gate.enter();
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    // Stay inside a while (no sleep: a few scheduler turns) so holders overlap.
                    for _ in 0..1_000 {
                        std::thread::yield_now();
                    }
                    inside.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn password_hashing_waits_for_the_gate() {
        let gate = password_hashing_gate();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(gate.capacity, cores * PASSWORD_HASHES_PER_CORE);
        let passes: Vec<_> = (0..gate.capacity).map(|_| gate.enter()).collect();
        let hashing = std::thread::spawn(|| hash_password("queued horse").unwrap());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while gate.waiting() == 0 && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
        assert!(
            gate.waiting() >= 1,
            "hash_password never queued at the gate"
        );
        assert!(!hashing.is_finished());
        drop(passes);
        assert!(verify_password("queued horse", &hashing.join().unwrap()));
    }

    #[test]
    fn password_round_trip() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
    }
}
