//! The server key file: 32 random bytes in `KEY_FILE`, kept apart from the database (beside the
//! embedded engine's file, never inside it; the same file on every host sharing a PostgreSQL
//! database), so that a copy of the database alone (a leaked backup, freed pages that redb does
//! not wipe) reveals neither the secrets sealed with it nor short codes by trying every value.
//!
//! Two keys are derived from it (HMAC-SHA256 of a label): one for keyed digests of short
//! secrets (`code_digest`), one for ChaCha20-Poly1305 sealing (`seal` / `open`). `KeyFile`
//! implements the core's `ServerKeys` for both storage engines.
//!
//! It depends on the core (for the trait) and the hash and cipher crates only.

use std::io::Write;
use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use portico_core::storage::{ServerKeys, KEYED_DIGEST_PREFIX};

/// The key file cannot be read or created.
#[derive(Debug, thiserror::Error)]
#[error("server key file {path}: {message}")]
pub struct KeyFileError {
    /// The file.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

/// File name of the server key inside the data directory (hex, created on first start, 0600).
pub const KEY_FILE: &str = "portico.key";

/// Prefix of sealed values (`seal`): version 1 is ChaCha20-Poly1305 with a random 96-bit nonce.
const SEALED_PREFIX: &str = "v1:";

const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 12;

/// The keys derived from the key file.
pub struct KeyFile {
    digest_key: [u8; KEY_BYTES],
    seal_key: [u8; KEY_BYTES],
}

fn key_file_error(path: &Path, error: impl std::fmt::Display) -> KeyFileError {
    KeyFileError {
        path: path.display().to_string(),
        message: error.to_string(),
    }
}

/// HMAC-SHA256 of `parts` (each length-prefixed, so parts cannot run into each other).
fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

impl KeyFile {
    /// Reads the key file in `dir`, creating it (readable by its owner only) if it is absent.
    pub fn load_or_create(dir: &Path) -> Result<KeyFile, KeyFileError> {
        let path = dir.join(KEY_FILE);
        let master = match std::fs::read_to_string(&path) {
            Ok(text) => parse_key(&path, &text)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key_file(&path)?,
            Err(e) => return Err(key_file_error(&path, e)),
        };
        Ok(KeyFile::from_master(&master))
    }

    /// The text of the key file in `dir` as it is stored (a backup carries it), after checking
    /// that it holds a key.
    pub fn read_text(dir: &Path) -> Result<String, KeyFileError> {
        let path = dir.join(KEY_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| key_file_error(&path, e))?;
        parse_key(&path, &text)?;
        Ok(text)
    }

    /// Checks that `text` (a key file's contents, read from `origin`) holds a key.
    pub fn check_text(origin: &Path, text: &str) -> Result<(), KeyFileError> {
        parse_key(origin, text).map(|_| ())
    }

    fn from_master(master: &[u8; KEY_BYTES]) -> KeyFile {
        KeyFile {
            digest_key: hmac(master, &[b"portico keyed digests v1"]),
            seal_key: hmac(master, &[b"portico sealed values v1"]),
        }
    }
}

impl ServerKeys for KeyFile {
    /// A keyed digest of a short secret, bound to `context` (e.g. the record it belongs to):
    /// without the key file, trying every possible code against a stolen database is useless.
    fn code_digest(&self, context: &str, code: &str) -> String {
        let mac = hmac(&self.digest_key, &[context.as_bytes(), code.as_bytes()]);
        format!("{KEYED_DIGEST_PREFIX}{}", hex::encode(mac))
    }

    /// `plaintext` encrypted and authenticated under the server key, as text.
    fn seal(&self, plaintext: &[u8]) -> String {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&self.seal_key));
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext)
            .expect("ChaCha20-Poly1305 seals any message that fits in memory");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The plaintext of a `seal`ed value; `None` if it was sealed under another key or altered.
    fn open(&self, sealed: &str) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD
            .decode(sealed.strip_prefix(SEALED_PREFIX)?)
            .ok()?;
        if bytes.len() < NONCE_BYTES {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        ChaCha20Poly1305::new(Key::from_slice(&self.seal_key))
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .ok()
    }
}

/// Creates the key file, or reads the one another process or thread created first: the key
/// is written whole to a file of its own, then linked into place without replacing one that
/// is there, so a reader never sees a key half written and two starters agree on one key.
fn create_key_file(path: &Path) -> Result<[u8; KEY_BYTES], KeyFileError> {
    let mut master = [0u8; KEY_BYTES];
    rand::rng().fill_bytes(&mut master);
    let draft = path.with_extension(format!("key.new-{}", hex::encode(&master[..8])));
    write_key(&draft, &master)?;
    let linked = std::fs::hard_link(&draft, path);
    let _ = std::fs::remove_file(&draft);
    match linked {
        Ok(()) => {
            tracing::info!(path = %path.display(), "created the server key file");
            Ok(master)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_key_file(path),
        Err(e) => Err(key_file_error(path, e)),
    }
}

/// The key in the file at `path`.
fn read_key_file(path: &Path) -> Result<[u8; KEY_BYTES], KeyFileError> {
    let text = std::fs::read_to_string(path).map_err(|e| key_file_error(path, e))?;
    parse_key(path, &text)
}

/// The key the text of a key file holds.
fn parse_key(path: &Path, text: &str) -> Result<[u8; KEY_BYTES], KeyFileError> {
    let bytes = hex::decode(text.trim()).map_err(|e| key_file_error(path, e))?;
    <[u8; KEY_BYTES]>::try_from(bytes.as_slice())
        .map_err(|_| key_file_error(path, format_args!("must hold {KEY_BYTES} bytes in hex")))
}

fn write_key(path: &Path, master: &[u8; KEY_BYTES]) -> Result<(), KeyFileError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| key_file_error(path, e))?;
    file.write_all(format!("{}\n", hex::encode(master)).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| key_file_error(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starters_racing_on_a_missing_key_file_agree_on_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let digests: Vec<String> = std::thread::scope(|threads| {
            let starters: Vec<_> = (0..8)
                .map(|_| {
                    threads.spawn(|| {
                        let keys = KeyFile::load_or_create(dir.path()).unwrap();
                        keys.code_digest("race", "code")
                    })
                })
                .collect();
            starters.into_iter().map(|s| s.join().unwrap()).collect()
        });
        assert!(digests.windows(2).all(|pair| pair[0] == pair[1]));
        let files = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(files, 1, "no draft is left behind");
    }

    #[test]
    fn the_key_file_is_created_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let first = KeyFile::load_or_create(dir.path()).unwrap();
        let again = KeyFile::load_or_create(dir.path()).unwrap();
        assert_eq!(
            first.code_digest("link", "12345678"),
            again.code_digest("link", "12345678")
        );
        let sealed = first.seal(b"psu_secret");
        assert_eq!(again.open(&sealed).unwrap(), b"psu_secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn digests_depend_on_key_context_and_code() {
        let a = KeyFile::from_master(&[1; KEY_BYTES]);
        let b = KeyFile::from_master(&[2; KEY_BYTES]);
        let digest = a.code_digest("link", "12345678");
        assert!(digest.starts_with(KEYED_DIGEST_PREFIX));
        assert_ne!(digest, b.code_digest("link", "12345678"));
        assert_ne!(digest, a.code_digest("other", "12345678"));
        assert_ne!(digest, a.code_digest("link", "12345679"));
        // Parts are length-prefixed: moving a character across them changes the digest.
        assert_ne!(a.code_digest("ab", "c"), a.code_digest("a", "bc"));
    }

    #[test]
    fn sealed_values_open_only_under_their_key_and_unaltered() {
        let a = KeyFile::from_master(&[1; KEY_BYTES]);
        let b = KeyFile::from_master(&[2; KEY_BYTES]);
        let sealed = a.seal(b"secret link");
        assert!(!sealed.contains("secret"));
        assert_ne!(sealed, a.seal(b"secret link"), "a fresh nonce each time");
        assert_eq!(a.open(&sealed).unwrap(), b"secret link");
        assert!(b.open(&sealed).is_none());
        let mut altered = sealed.clone();
        altered.pop();
        altered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(a.open(&altered).is_none());
        assert!(a.open("v1:").is_none());
        assert!(a.open("garbage").is_none());
    }
}
