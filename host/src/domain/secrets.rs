//! Secrets: random tokens (stored as SHA-256 digests) and passwords (stored as argon2id hashes).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::error::{DomainError, DomainResult};

/// Bytes of randomness in every token Portico issues (API keys, reset codes, session tokens):
/// 256 bits, far past guessing.
pub const TOKEN_RANDOM_BYTES: usize = 32;

/// Longest password accepted; argon2 cost grows with input and nobody types more.
pub const MAX_PASSWORD_LENGTH: usize = 256;

/// A new random token `prefix` + 43 URL-safe characters.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; TOKEN_RANDOM_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The digest under which a random token is stored. Tokens carry 256 bits of entropy, so a fast
/// hash is enough: a leaked database does not reveal usable tokens.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
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
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the stored PHC hash. CPU-heavy like `hash_password`.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
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
    fn password_round_trip() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
    }
}
