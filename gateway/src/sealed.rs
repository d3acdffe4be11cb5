//! Sealing: the gateway's way to hand the browser something only a gateway can read back, with
//! an expiry — an OAuth flow's secrets (in a cookie) and a fresh grant (in the page's URL
//! fragment). AES-256-GCM with a key the gateways behind one balancer share (the config's
//! `oauth_key_file`), so any of them completes a flow another started, and none keeps it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// What each sealed thing is for (sealed with it, so one cannot pass for another).
pub const FLOW: &str = "oauth-flow";
pub const GRANT: &str = "oauth-grant";

/// A consent just given (by `/oauth/callback`), sealed for the app to present when it signs in.
#[derive(Serialize, Deserialize)]
pub struct SealedGrant {
    pub server: String,
    pub grant: crate::upstream::oauth::Grant,
}

pub struct Sealer {
    key: LessSafeKey,
    random: SystemRandom,
}

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    /// Seconds since the epoch after which it is refused.
    expires: u64,
    value: T,
}

impl Sealer {
    /// With `key` (32 bytes), or a random one that only this process knows.
    pub fn new(key: Option<[u8; 32]>) -> Self {
        let random = SystemRandom::new();
        let key = key.unwrap_or_else(|| {
            let mut fresh = [0u8; 32];
            random.fill(&mut fresh).expect("the system's random source works");
            fresh
        });
        Self { key: LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key).expect("a 32-byte key")), random }
    }

    /// Reads a key file: 32 raw bytes, or 64 hex digits (with or without a final newline).
    pub fn read_key(path: &std::path::Path) -> Result<[u8; 32], String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        let hex = text.trim();
        // Hex only if it is all hex digits: raw key bytes may happen to read as 64 characters.
        let key: Option<Vec<u8>> = if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()).collect()
        } else {
            Some(bytes.clone())
        };
        key.and_then(|k| k.try_into().ok())
            .ok_or_else(|| format!("{}: not a 32-byte key (32 bytes or 64 hex digits)", path.display()))
    }

    /// `value`, sealed for `purpose` (a flow cookie cannot be passed off as a grant), readable
    /// for `lifetime`. URL- and cookie-safe.
    pub fn seal<T: Serialize>(&self, purpose: &str, value: &T, lifetime: Duration) -> String {
        let expires = (SystemTime::now() + lifetime).duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let mut data = serde_json::to_vec(&Envelope { expires, value }).expect("serializable");
        let mut nonce = [0u8; NONCE_LEN];
        self.random.fill(&mut nonce).expect("the system's random source works");
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(purpose.as_bytes()), &mut data)
            .expect("sealing cannot fail for these sizes");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        B64.encode(out)
    }

    /// What was sealed for `purpose`, if it is intact, ours and not expired.
    pub fn open<T: DeserializeOwned>(&self, purpose: &str, sealed: &str) -> Option<T> {
        let bytes = B64.decode(sealed.trim()).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, data) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = data.to_vec();
        let plain = self.key.open_in_place(nonce, Aad::from(purpose.as_bytes()), &mut data).ok()?;
        let envelope: Envelope<T> = serde_json::from_slice(plain).ok()?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        (now <= envelope.expires).then_some(envelope.value)
    }

    /// A random token (for OAuth `state`), URL-safe.
    pub fn random_token(&self) -> String {
        let mut bytes = [0u8; 24];
        self.random.fill(&mut bytes).expect("the system's random source works");
        B64.encode(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_sealed_opens_only_for_its_purpose_its_key_and_its_time() {
        let sealer = Sealer::new(Some([7; 32]));
        let sealed = sealer.seal("flow", &"secret verifier", Duration::from_secs(60));
        assert!(!sealed.contains("secret"), "not readable");
        assert_eq!(sealer.open::<String>("flow", &sealed).as_deref(), Some("secret verifier"));
        assert_eq!(sealer.open::<String>("grant", &sealed), None, "another purpose");
        assert_eq!(Sealer::new(Some([7; 32])).open::<String>("flow", &sealed).as_deref(), Some("secret verifier"));
        assert_eq!(Sealer::new(Some([8; 32])).open::<String>("flow", &sealed), None, "another key");
        assert_eq!(Sealer::new(None).open::<String>("flow", &sealed), None, "a random key");

        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 3;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(sealer.open::<String>("flow", std::str::from_utf8(&tampered).unwrap()), None);
        assert_eq!(sealer.open::<String>("flow", "garbage"), None);

        let expired = sealer.seal("flow", &1, Duration::ZERO);
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(sealer.open::<i32>("flow", &expired), None);
    }

    #[test]
    fn keys_are_read_raw_or_in_hex() {
        let dir = std::env::temp_dir().join(format!("yubin-key-{}", std::process::id()));
        std::fs::write(&dir, format!("{}\n", "ab".repeat(32))).unwrap();
        assert_eq!(Sealer::read_key(&dir).unwrap(), [0xab; 32]);
        std::fs::write(&dir, [5u8; 32]).unwrap();
        assert_eq!(Sealer::read_key(&dir).unwrap(), [5; 32]);
        // Raw bytes that happen to read as 64 characters are raw bytes, not hex.
        let mut raw = [0xffu8; 32];
        raw[16..].fill(b'a');
        std::fs::write(&dir, raw).unwrap();
        assert_eq!(Sealer::read_key(&dir).unwrap(), raw);
        std::fs::write(&dir, "short").unwrap();
        assert!(Sealer::read_key(&dir).is_err());
        std::fs::remove_file(&dir).unwrap();
    }
}
