//! The key that encrypts secrets at rest (client secrets, refresh tokens).
//!
//! It comes from `CANTARA_SECRET_KEY` (32 bytes, base64) or from `{data-dir}/secret.key`, which is
//! generated once with mode 0600. Losing it makes stored client secrets unreadable.

use std::io::Write;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;

use crate::backend::error::{DomainError, Result};

#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl SecretKey {
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn random() -> Self {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Self(key)
    }

    pub fn from_base64(text: &str) -> Result<Self> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| DomainError::Internal("the secret key is not valid base64".into()))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| DomainError::Internal("the secret key must be exactly 32 bytes".into()))?;
        Ok(Self(key))
    }

    /// Uses `from_env` when given, else reads `{data_dir}/secret.key`, creating it if missing.
    pub fn load_or_create(data_dir: &Path, from_env: Option<&str>) -> Result<Self> {
        if let Some(text) = from_env.filter(|t| !t.trim().is_empty()) {
            return Self::from_base64(text);
        }
        let path = data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::from_base64(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                crate::backend::db::create_private_dir(data_dir)
                    .map_err(|e| io_error(data_dir, e))?;
                let key = Self::random();
                write_private(&path, &STANDARD.encode(key.0))?;
                Ok(key)
            }
            Err(e) => Err(io_error(&path, e)),
        }
    }
}

fn write_private(path: &Path, content: &str) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| io_error(path, e))?;
    file.write_all(content.as_bytes())
        .map_err(|e| io_error(path, e))?;
    file.write_all(b"\n").map_err(|e| io_error(path, e))
}

fn io_error(path: &Path, e: std::io::Error) -> DomainError {
    DomainError::Internal(format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_created_once_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let a = SecretKey::load_or_create(dir.path(), None).unwrap();
        let b = SecretKey::load_or_create(dir.path(), None).unwrap();
        assert_eq!(a.bytes(), b.bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn env_key_wins_and_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let k = STANDARD.encode([7u8; 32]);
        assert_eq!(
            SecretKey::load_or_create(dir.path(), Some(&k))
                .unwrap()
                .bytes(),
            &[7u8; 32]
        );
        assert!(!dir.path().join("secret.key").exists());
        assert!(SecretKey::load_or_create(dir.path(), Some("c2hvcnQ=")).is_err());
        assert_eq!(format!("{:?}", SecretKey::random()), "SecretKey(***)");
    }
}
