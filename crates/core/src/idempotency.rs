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

/// The hex SHA-256 of the validated command in one canonical text: compact JSON with `userId`,
/// then the lines in request order, `{"userId":42,"items":[{"sku":"PROD-001","qty":2}]}`. Records
/// already stored hold fingerprints of exactly this text, so it must not change. Skus are ASCII
/// letters, digits, `-` and `_`, which JSON writes unescaped.
pub fn fingerprint(command: &CreateOrder) -> String {
    let lines: Vec<String> = command
        .items
        .iter()
        .map(|line| format!(r#"{{"sku":"{}","qty":{}}}"#, line.sku, line.qty.get()))
        .collect();
    let canonical = format!(
        r#"{{"userId":{},"items":[{}]}}"#,
        command.user_id,
        lines.join(",")
    );
    hex_sha256(canonical.as_bytes())
}

/// Lower-case hex of the SHA-256 of `bytes`.
pub(crate) fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
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
    fn the_fingerprint_is_of_the_canonical_text_stored_records_were_written_with() {
        let command = CreateOrder {
            user_id: UserId::new(42).unwrap(),
            items: vec![
                OrderItemRequest {
                    sku: Sku::parse("PROD-001").unwrap(),
                    qty: Qty::new(2).unwrap(),
                },
                OrderItemRequest {
                    sku: Sku::parse("PROD-017").unwrap(),
                    qty: Qty::new(1).unwrap(),
                },
            ],
        };
        let canonical =
            r#"{"userId":42,"items":[{"sku":"PROD-001","qty":2},{"sku":"PROD-017","qty":1}]}"#;

        assert_eq!(fingerprint(&command), hex_sha256(canonical.as_bytes()));
        assert_eq!(
            fingerprint(&command),
            "cf67e86553c385ceb3fb236cebf4ec7dbfc6a777a961f6835460458633145f6f"
        );
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
