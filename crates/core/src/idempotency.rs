//! Idempotency rules for `POST /api/orders`: the key, the command's fingerprint, and how long a record lives.

use sha2::{Digest, Sha256};

use crate::clock::Timestamp;
use crate::order::{CreateOrder, Order};

/// Records are kept 24 hours.
pub const RETENTION_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// 1–255 printable ASCII characters, global scope.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const MAX_LEN: usize = 255;

    pub fn parse(raw: &[u8]) -> Result<Self, String> {
        if raw.is_empty() || raw.len() > Self::MAX_LEN {
            return Err(format!("must be 1–{} characters", Self::MAX_LEN));
        }
        if !raw.iter().all(|b| (0x20..=0x7e).contains(b)) {
            return Err("must be printable ASCII".into());
        }
        Ok(IdempotencyKey(
            String::from_utf8(raw.to_vec()).expect("printable ASCII is UTF-8"),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The hex SHA-256 of the validated command in canonical JSON (`userId`, then items in request order).
pub fn fingerprint(command: &CreateOrder) -> String {
    let canonical = serde_json::to_vec(command).expect("a command always serialises");
    Sha256::digest(canonical)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A successful create, kept so a repeat can be answered with the same 201.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub key: IdempotencyKey,
    pub fingerprint: String,
    /// The order exactly as the first 201 returned it.
    pub order: Order,
    pub expires_at: Timestamp,
}

impl IdempotencyRecord {
    pub fn new(key: IdempotencyKey, command: &CreateOrder, order: Order, now: Timestamp) -> Self {
        IdempotencyRecord {
            key,
            fingerprint: fingerprint(command),
            order,
            expires_at: now.plus_millis(RETENTION_MILLIS),
        }
    }

    pub fn is_live(&self, now: Timestamp) -> bool {
        self.expires_at > now
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{Sku, UserId};
    use crate::order::{OrderItemRequest, Qty};

    fn command(qty: u32) -> CreateOrder {
        CreateOrder {
            user_id: UserId::new(1).unwrap(),
            items: vec![OrderItemRequest {
                sku: Sku::parse("PROD-001").unwrap(),
                qty: Qty::new(qty).unwrap(),
            }],
        }
    }

    #[test]
    fn equal_commands_share_a_fingerprint_and_different_ones_do_not() {
        assert_eq!(fingerprint(&command(2)), fingerprint(&command(2)));
        assert_ne!(fingerprint(&command(2)), fingerprint(&command(3)));
    }

    #[test]
    fn keys_are_printable_ascii_up_to_255() {
        assert!(IdempotencyKey::parse(b"abc-123 ~").is_ok());
        assert!(IdempotencyKey::parse(&[b'a'; 255]).is_ok());
        assert!(IdempotencyKey::parse(&[b'a'; 256]).is_err());
        assert!(IdempotencyKey::parse(b"").is_err());
        assert!(IdempotencyKey::parse(b"tab\there").is_err());
        assert!(IdempotencyKey::parse("é".as_bytes()).is_err());
    }
}
