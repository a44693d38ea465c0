//! Argon2id password hashes in PHC format. Hashing is slow on purpose: call these inside
//! `web::block`, never on the async executor.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;
use rand::distr::Alphanumeric;

/// Argon2id with 46 MiB and one pass, one of OWASP's recommended settings. The size also
/// keeps memory use flat: glibc raises its threshold for mapping large blocks up to 32 MiB
/// after freeing one, and then keeps freed blocks below it resident in every thread's arena
/// (a 19 MiB setting cost ~100 MiB under load); a block above it is always mapped and
/// returned on free.
fn argon2() -> Argon2<'static> {
    let params = Params::new(47_104, 1, 1, None).unwrap_or(Params::DEFAULT);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with Argon2id and a random salt.
pub fn hash(password: &str) -> Result<String, String> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches the stored hash (with the parameters the hash names); a
/// malformed hash matches nothing.
pub fn verify(password: &str, hash: &str) -> bool {
    argon2().verify_password(password.as_bytes(), hash).is_ok()
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
        assert!(
            hashed.starts_with("$argon2id$v=19$m=47104,t=1,p=1$"),
            "{hashed}"
        );
        assert!(verify("correct horse battery", &hashed));
        assert!(!verify("wrong horse battery", &hashed));
        assert!(!verify("anything", "not a hash"));
    }
}
