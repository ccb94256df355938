//! Secrets at rest: AES-256-GCM with the instance's secret key, a fresh 96-bit nonce per value.
//! Stored as base64(nonce || ciphertext); the tag authenticates, so tampering is detected.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;

use crate::backend::error::{DomainError, Result};
use crate::backend::SecretKey;

/// 256 random bits, base64url: session ids and provisioning tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 as lowercase hex: how session ids and tokens are stored (never the value itself).
pub fn sha256_hex(value: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// HMAC-SHA256 of `text` under `key`, lowercase hex: a webhook's signature.
pub fn hmac_sha256_hex(key: &str, text: &str) -> String {
    use hmac::{Hmac, Mac};
    // An HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(text.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn encrypt(key: &SecretKey, plaintext: &str) -> Result<String> {
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key.bytes()));
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
        .map_err(|_| DomainError::Internal("encryption failed".into()))?;
    let mut out = nonce.to_vec();
    out.extend(ct);
    Ok(STANDARD.encode(out))
}

pub fn decrypt(key: &SecretKey, stored: &str) -> Result<String> {
    let bytes = STANDARD
        .decode(stored)
        .map_err(|_| DomainError::Internal("stored secret is not base64".into()))?;
    if bytes.len() < 12 + 16 {
        return Err(DomainError::Internal("stored secret is too short".into()));
    }
    let (nonce, ct) = bytes.split_at(12);
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key.bytes()));
    let pt = cipher.decrypt(Nonce::from_slice(nonce), ct).map_err(|_| {
        DomainError::Internal("the stored secret cannot be decrypted with this secret key".into())
    })?;
    String::from_utf8(pt).map_err(|_| DomainError::Internal("stored secret is not UTF-8".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231, test case 2.
        assert_eq!(
            hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn round_trip_random_nonce_and_tamper_detection() {
        let key = SecretKey::random();
        let a = encrypt(&key, "s3cr3t~value").unwrap();
        let b = encrypt(&key, "s3cr3t~value").unwrap();
        assert_ne!(a, b, "fresh nonce each time");
        assert!(!a.contains("s3cr3t"));
        assert_eq!(decrypt(&key, &a).unwrap(), "s3cr3t~value");
        assert!(
            decrypt(&SecretKey::random(), &a).is_err(),
            "another key cannot read it"
        );
        let mut raw = STANDARD.decode(&a).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        assert!(
            decrypt(&key, &STANDARD.encode(raw)).is_err(),
            "tampering is detected"
        );
    }
}
