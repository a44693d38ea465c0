//! Argon2id password hashes in PHC format. Hashing is slow on purpose: call these inside
//! `web::block`, never on the async executor.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::Rng;
use rand::distr::Alphanumeric;

/// Hashes a password with Argon2id and a random salt.
pub fn hash(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches the stored hash; a malformed hash matches nothing.
pub fn verify(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A hash of a random password, verified against when a username is unknown, so a guess
/// at a username takes as long as a guess at a password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&random_password()).unwrap_or_default())
}

/// A random password of 20 letters and digits.
pub fn random_password() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_nothing_else() {
        let hashed = hash("correct horse battery").expect("hash");
        assert!(hashed.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &hashed));
        assert!(!verify("wrong horse battery", &hashed));
        assert!(!verify("anything", "not a hash"));
    }
}
