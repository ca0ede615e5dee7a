//! The pagination cursor: base64url (no padding) of `[version, user id (8 bytes BE), last order id (16 bytes)]`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::ids::{OrderId, UserId};

const VERSION: u8 = 1;
const LEN: usize = 1 + 8 + 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub user_id: UserId,
    /// The last order of the previous page; the next page starts strictly after it (older).
    pub after: OrderId,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let mut bytes = [0u8; LEN];
        bytes[0] = VERSION;
        bytes[1..9].copy_from_slice(&self.user_id.get().to_be_bytes());
        bytes[9..].copy_from_slice(&self.after.to_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Reads a cursor issued for `user_id`; `None` for anything else, including another user's cursor.
    pub fn decode(text: &str, user_id: UserId) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let bytes: [u8; LEN] = bytes.try_into().ok()?;
        if bytes[0] != VERSION {
            return None;
        }
        let owner = UserId::new(i64::from_be_bytes(bytes[1..9].try_into().ok()?))?;
        if owner != user_id {
            return None;
        }
        let after = OrderId::from_bytes(bytes[9..].try_into().ok()?);
        Some(Cursor { user_id, after })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;

    #[test]
    fn a_cursor_only_reads_back_for_its_own_user() {
        let user = UserId::new(7).unwrap();
        let cursor = Cursor {
            user_id: user,
            after: OrderId::from_parts(Timestamp::from_millis(5), 9),
        };
        let text = cursor.encode();
        assert_eq!(Cursor::decode(&text, user), Some(cursor));
        assert_eq!(Cursor::decode(&text, UserId::new(8).unwrap()), None);
        assert_eq!(Cursor::decode("not-a-cursor", user), None);
        assert_eq!(Cursor::decode(&format!("{text}="), user), None);
    }
}
