//! Order statuses on the wire.

use super::*;

fn status() -> impl Strategy<Value = OrderStatus> {
    prop::sample::select(OrderStatus::ALL.to_vec())
}

proptest! {
    #![proptest_config(config(64))]

    /// The wire name of every status parses back to it, through the response's serialiser and the
    /// request's parser.
    #[test]
    fn every_status_round_trips_through_its_wire_name(status in status()) {
        prop_assert_eq!(serde_json::to_value(Status(status)).unwrap(), json!(status.as_str()));
        prop_assert_eq!(TransitionRequest::parse(&json!({"status": status.as_str()})).unwrap(), status);
    }
}
