//! Query codes (查询码): 6 digits printed on the receipt, the key to the kiosk lookup.
//! Each is derived from the case id with a keyed hash, so an idempotent retry of an intake
//! can give the same code again without the code being stored anywhere; the database keeps
//! only a keyed hash of it, useless without the key.

use domain::case::workflow::QueryCodes;
use domain::ids::CaseId;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Derives and hashes query codes with a server-side key.
#[derive(Clone)]
pub struct QueryCodeKey {
    key: Vec<u8>,
}

impl std::fmt::Debug for QueryCodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueryCodeKey(..)")
    }
}

impl QueryCodeKey {
    /// A key from a secret.
    pub fn new(secret: &[u8]) -> Self {
        Self {
            key: mac(secret, &[b"service-hall query codes"]),
        }
    }

    /// Whether `code` is the query code of the case numbered `case_no` with stored `hash`,
    /// compared in constant time.
    pub fn verify(&self, case_no: &str, code: &str, hash: &str) -> bool {
        let Ok(expected) = hex_decode(hash) else {
            return false;
        };
        let mut check =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes any key length");
        check.update(b"hash\0");
        check.update(case_no.as_bytes());
        check.update(b"\0");
        check.update(code.as_bytes());
        check.verify_slice(&expected).is_ok()
    }
}

fn mac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

fn hex_decode(text: &str) -> Result<Vec<u8>, ()> {
    if !text.len().is_multiple_of(2) {
        return Err(());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2).ok_or(())?, 16).map_err(|_| ()))
        .collect()
}

impl QueryCodes for QueryCodeKey {
    fn code_for(&self, case: CaseId) -> String {
        let digest = mac(&self.key, &[b"code\0", case.as_uuid().as_bytes()]);
        let n = u64::from_be_bytes(digest[..8].try_into().unwrap_or_default());
        format!("{:06}", n % 1_000_000)
    }

    fn hash(&self, case_no: &str, code: &str) -> String {
        mac(
            &self.key,
            &[b"hash\0", case_no.as_bytes(), b"\0", code.as_bytes()],
        )
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_six_digits_stable_per_case_and_verifies_only_against_its_hash() {
        let key = QueryCodeKey::new(b"a secret of at least thirty-two bytes");
        let case = CaseId::new();
        let code = key.code_for(case);
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        assert_eq!(key.code_for(case), code);
        let hash = key.hash("640105-20120928-00001", &code);
        assert!(!hash.contains(&code));
        assert!(key.verify("640105-20120928-00001", &code, &hash));
        assert!(!key.verify("640105-20120928-00002", &code, &hash));
        assert!(!key.verify("640105-20120928-00001", "000000", &hash) || code == "000000");
        let other = QueryCodeKey::new(b"another secret of thirty-two bytes!");
        assert!(!other.verify("640105-20120928-00001", &code, &hash));
    }
}
