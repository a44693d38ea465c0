//! Personal data at rest: applicants' ID numbers and phones are sealed with XChaCha20-Poly1305
//! (a random 192-bit nonce per value, the case id and column as associated data, the key's id
//! in front), and the ID number is kept as a keyed hash (HMAC-SHA256) for exact search.
//!
//! The keys reach the repositories through [`crate::Store`]: every unit of work runs with the
//! store's keys in scope on its thread, so the case row mapping seals and opens without any
//! caller passing a key — imports, the demo and intake all write through the same mapping.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use domain::repository::RepositoryError;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The version tag in front of every sealed value.
const FORMAT: &str = "v1";

/// A data key is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Neither 64 hex digits nor base64 of 32 bytes.
    #[error("a data key must be 32 bytes, written as 64 hex digits or in base64")]
    Malformed,
}

/// A sealed value could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The value names a key this process was not given.
    #[error(
        "personal data sealed with data key {0} cannot be opened: give that key in HALL_DATA_KEY_PREVIOUS"
    )]
    UnknownKey(String),
    /// The value was altered, moved to another row, or is not a sealed value.
    #[error("a sealed personal data value failed authentication")]
    Tampered,
    /// No key is in scope: the work did not run through a store with data keys.
    #[error("no data key is configured for personal data")]
    NoKey,
}

impl From<SealError> for RepositoryError {
    fn from(error: SealError) -> Self {
        RepositoryError::Internal(error.to_string())
    }
}

/// Parses a key written as 64 hex digits or as base64 (standard or URL-safe) of 32 bytes.
pub fn parse_key(text: &str) -> Result<[u8; 32], KeyError> {
    let text = text.trim();
    let bytes = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
        (0..32)
            .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| KeyError::Malformed)?
    } else {
        STANDARD
            .decode(text)
            .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')))
            .map_err(|_| KeyError::Malformed)?
    };
    bytes.try_into().map_err(|_| KeyError::Malformed)
}

/// A fresh random key, as 64 hex digits.
pub fn generate_key() -> String {
    let key: [u8; 32] = rand::random();
    hex(&key)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// HMAC-SHA256 of `message` under `key`.
fn mac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// One data key and what is derived from it: separate sub-keys for sealing and for the search
/// hash, so neither use weakens the other, and a short public id.
struct DataKey {
    id: String,
    cipher: XChaCha20Poly1305,
    hash_key: [u8; 32],
    request_key: [u8; 32],
}

impl DataKey {
    fn new(master: &[u8; 32]) -> Self {
        let seal_key = mac(master, b"service-hall personal data seal v1");
        Self {
            id: hex(&mac(master, b"service-hall data key id v1")[..4]),
            cipher: XChaCha20Poly1305::new(&seal_key.into()),
            hash_key: mac(master, b"service-hall personal data search hash v1"),
            request_key: mac(master, b"service-hall request fingerprint v1"),
        }
    }

    fn search_hash(&self, id_number: &str) -> String {
        hex(&mac(&self.hash_key, normalise(id_number).as_bytes()))
    }
}

/// The form of an ID number that is hashed: trimmed, ASCII letters in capitals (a resident
/// ID's check character `x` is the same as `X`).
pub fn normalise(id_number: &str) -> String {
    id_number.trim().to_ascii_uppercase()
}

/// The keys of personal data: the current one seals, every one opens.
pub struct DataKeys {
    current: DataKey,
    previous: Vec<DataKey>,
}

/// Never prints a key; only their ids.
impl fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKeys")
            .field("current", &self.current.id)
            .field(
                "previous",
                &self.previous.iter().map(|k| &k.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl DataKeys {
    /// The current key and the previous ones that still open older values.
    pub fn new(current: &[u8; 32], previous: &[[u8; 32]]) -> Self {
        let current = DataKey::new(current);
        let previous = previous
            .iter()
            .map(DataKey::new)
            .filter(|k| k.id != current.id)
            .collect();
        Self { current, previous }
    }

    /// The id of the current key, stored in front of every value it seals.
    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plain` for `column` of row `row`: `v1.<key id>.<base64url(nonce ‖ ciphertext)>`.
    pub fn seal(&self, row: &str, column: &str, plain: &str) -> String {
        let nonce: [u8; 24] = rand::random();
        let aad = format!("{column}:{row}");
        let sealed = self
            .current
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 seals any message of this size");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!(
            "{FORMAT}.{}.{}",
            self.current.id,
            URL_SAFE_NO_PAD.encode(bytes)
        )
    }

    /// Opens a value sealed for `column` of row `row` by any of the keys.
    pub fn open(&self, row: &str, column: &str, sealed: &str) -> Result<String, SealError> {
        let mut parts = sealed.splitn(3, '.');
        let (Some(FORMAT), Some(key_id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(SealError::Tampered);
        };
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == key_id)
            .ok_or_else(|| SealError::UnknownKey(key_id.to_owned()))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| SealError::Tampered)?;
        if bytes.len() < 24 {
            return Err(SealError::Tampered);
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| SealError::Tampered)?;
        let aad = format!("{column}:{row}");
        let plain = key
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| SealError::Tampered)?;
        String::from_utf8(plain).map_err(|_| SealError::Tampered)
    }

    /// The search hash of an ID number under the current key: what is stored.
    pub fn search_hash(&self, id_number: &str) -> String {
        self.current.search_hash(id_number)
    }

    /// The fingerprint of a request's body under the current key, which an idempotency
    /// record keeps: unkeyed, a hash of a body holding an ID number would let anyone who
    /// reads the table confirm a guessed number.
    pub fn request_fingerprint(&self, body: &[u8]) -> String {
        hex(&mac(&self.current.request_key, body))
    }

    /// Whether `fingerprint` is `body`'s under any of the keys, so that a retry still
    /// matches across a key rotation.
    pub fn fingerprint_matches(&self, fingerprint: &str, body: &[u8]) -> bool {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .any(|k| hex(&mac(&k.request_key, body)) == fingerprint)
    }

    /// The search hashes of an ID number under every key: what a search looks for, so rows
    /// not yet rotated are found too.
    pub fn search_hashes(&self, id_number: &str) -> Vec<String> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .map(|k| k.search_hash(id_number))
            .collect()
    }
}

thread_local! {
    /// The keys of the unit of work running on this thread, set by [`in_scope`].
    static IN_SCOPE: RefCell<Option<Arc<DataKeys>>> = const { RefCell::new(None) };
}

/// Runs `work` with `keys` in scope on this thread, restoring what was in scope before.
pub(crate) fn in_scope<T>(keys: Option<&Arc<DataKeys>>, work: impl FnOnce() -> T) -> T {
    struct Restore(Option<Arc<DataKeys>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            IN_SCOPE.with(|slot| *slot.borrow_mut() = previous);
        }
    }
    let previous = IN_SCOPE.with(|slot| slot.replace(keys.cloned()));
    let _restore = Restore(previous);
    work()
}

/// The keys in scope on this thread.
pub(crate) fn keys() -> Result<Arc<DataKeys>, SealError> {
    IN_SCOPE
        .with(|slot| slot.borrow().clone())
        .ok_or(SealError::NoKey)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: [u8; 32] = [7; 32];
    const B: [u8; 32] = [9; 32];

    #[test]
    fn a_sealed_value_opens_only_for_its_row_and_column() {
        let keys = DataKeys::new(&A, &[]);
        let sealed = keys.seal("case-1", "id_number", "11010519491231002X");
        assert!(sealed.starts_with(&format!("v1.{}.", keys.current_id())));
        assert!(!sealed.contains("11010519491231002X"));
        assert_eq!(
            keys.open("case-1", "id_number", &sealed).as_deref(),
            Ok("11010519491231002X")
        );
        assert_eq!(
            keys.open("case-2", "id_number", &sealed),
            Err(SealError::Tampered)
        );
        assert_eq!(
            keys.open("case-1", "phone", &sealed),
            Err(SealError::Tampered)
        );
        assert_ne!(
            sealed,
            keys.seal("case-1", "id_number", "11010519491231002X")
        );
    }

    #[test]
    fn old_keys_open_and_the_current_one_seals() {
        let old = DataKeys::new(&A, &[]);
        let sealed = old.seal("r", "c", "13800138000");
        let rotated = DataKeys::new(&B, &[A]);
        assert_eq!(
            rotated.open("r", "c", &sealed).as_deref(),
            Ok("13800138000")
        );
        assert!(
            rotated
                .seal("r", "c", "x")
                .starts_with(&format!("v1.{}.", rotated.current_id()))
        );
        let forgotten = DataKeys::new(&B, &[]);
        assert!(matches!(
            forgotten.open("r", "c", &sealed),
            Err(SealError::UnknownKey(_))
        ));
        assert!(
            rotated
                .search_hashes("11010519491231002x")
                .contains(&old.search_hash("11010519491231002X"))
        );
    }

    #[test]
    fn keys_are_read_as_hex_or_base64() {
        let hex_key = "07".repeat(32);
        assert_eq!(parse_key(&hex_key), Ok(A));
        assert_eq!(parse_key(&STANDARD.encode(A)), Ok(A));
        assert_eq!(parse_key("short"), Err(KeyError::Malformed));
        assert_eq!(parse_key(&generate_key()).map(|k| k.len()), Ok(32));
    }
}
