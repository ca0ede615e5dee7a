//! The users one connection follows, capped at [`MAX_SUBSCRIPTIONS`].

use std::collections::HashSet;

use twinstack_core::UserId;

use crate::MAX_SUBSCRIPTIONS;
use crate::error::ProtocolError;

#[derive(Clone, Debug, Default)]
pub struct Subscriptions(HashSet<UserId>);

impl Subscriptions {
    /// Whether `user` may be added: always when already followed (subscribing twice is idempotent),
    /// otherwise while under the cap. Twins check this before looking the user up.
    pub fn admit(&self, user: UserId) -> Result<(), ProtocolError> {
        if self.0.contains(&user) || self.0.len() < MAX_SUBSCRIPTIONS {
            Ok(())
        } else {
            Err(ProtocolError::too_many_subscriptions())
        }
    }

    /// Adds `user` once [`Self::admit`] allowed it; `true` when it was not followed yet.
    pub fn insert(&mut self, user: UserId) -> Result<bool, ProtocolError> {
        self.admit(user)?;
        Ok(self.0.insert(user))
    }

    /// `true` when `user` was followed.
    pub fn remove(&mut self, user: UserId) -> bool {
        self.0.remove(&user)
    }

    pub fn contains(&self, user: UserId) -> bool {
        self.0.contains(&user)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = UserId> + '_ {
        self.0.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn user(id: i64) -> UserId {
        UserId::new(id).unwrap()
    }

    #[test]
    fn the_cap_refuses_the_101st_user_but_not_a_repeat() {
        let mut subscriptions = Subscriptions::default();
        for id in 1..=MAX_SUBSCRIPTIONS as i64 {
            assert_eq!(subscriptions.insert(user(id)), Ok(true));
        }
        let refused = subscriptions.insert(user(1000)).unwrap_err();
        assert_eq!(refused.code, ErrorCode::TooManySubscriptions);
        assert_eq!(subscriptions.insert(user(7)), Ok(false));
        assert_eq!(subscriptions.len(), MAX_SUBSCRIPTIONS);
    }

    #[test]
    fn removing_makes_room_again() {
        let mut subscriptions = Subscriptions::default();
        for id in 1..=MAX_SUBSCRIPTIONS as i64 {
            subscriptions.insert(user(id)).unwrap();
        }
        assert!(subscriptions.remove(user(3)));
        assert!(!subscriptions.remove(user(3)));
        assert_eq!(subscriptions.insert(user(1000)), Ok(true));
        assert!(subscriptions.contains(user(1000)));
    }
}
