//! The status machine.

use super::*;

pub(crate) fn status() -> impl Strategy<Value = OrderStatus> {
    prop::sample::select(OrderStatus::ALL.to_vec())
}

fn is_terminal(status: OrderStatus) -> bool {
    matches!(status, OrderStatus::Shipped | OrderStatus::Cancelled)
}

proptest! {
    #![proptest_config(config(64))]

    /// Exactly four moves exist: pending→paid, pending→cancelled, paid→shipped, paid→cancelled.
    #[test]
    fn can_become_allows_exactly_the_four_documented_transitions(from in status(), to in status()) {
        use OrderStatus::*;
        let documented = [(Pending, Paid), (Pending, Cancelled), (Paid, Shipped), (Paid, Cancelled)];
        prop_assert_eq!(from.can_become(to), documented.contains(&(from, to)));
    }

    /// Shipped and cancelled orders can never move again, not even to themselves.
    #[test]
    fn shipped_and_cancelled_are_terminal(to in status()) {
        prop_assert!(!OrderStatus::Shipped.can_become(to));
        prop_assert!(!OrderStatus::Cancelled.can_become(to));
    }

    /// No status can "become" itself: a PATCH to the current status is a refused transition.
    #[test]
    fn no_status_can_become_itself(status in status()) {
        prop_assert!(!status.can_become(status));
    }

    /// The wire name of every status parses back to it (the HTTP layer's own properties check it
    /// through the response's serialiser and the request's parser).
    #[test]
    fn every_status_round_trips_through_its_wire_name(status in status()) {
        prop_assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Applying only allowed moves from any start, an order that reaches shipped or cancelled stays
    /// there, never returns to pending, and makes at most two moves in all.
    #[test]
    fn a_walk_of_allowed_moves_never_leaves_a_terminal_state(
        start in status(),
        proposals in prop::collection::vec(status(), 0..30),
    ) {
        let mut current = start;
        let mut moves = 0;
        for next in proposals {
            let was_terminal = is_terminal(current);
            if current.can_become(next) {
                prop_assert!(!was_terminal, "{:?} moved to {:?}", current, next);
                prop_assert_ne!(next, OrderStatus::Pending);
                current = next;
                moves += 1;
            }
            if was_terminal {
                prop_assert!(is_terminal(current));
            }
        }
        prop_assert!(moves <= 2);
    }
}
