//! The pagination cursor: any text decodes to nothing or to the one cursor that encodes back to
//! exactly that text, for the user asking; every cursor issued reads back.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use twinstack_core::{Cursor, OrderId, UserId};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    text: &'a str,
    user_id: i64,
    issued_for: i64,
    after: [u8; 16],
}

fuzz_target!(|input: Input<'_>| {
    let Some(user_id) = UserId::new(input.user_id) else {
        return;
    };
    if let Some(cursor) = Cursor::decode(input.text, user_id) {
        assert_eq!(cursor.user_id, user_id);
        assert_eq!(cursor.encode(), input.text, "{input:?}");
    }
    if let Some(issued_for) = UserId::new(input.issued_for) {
        let issued = Cursor {
            user_id: issued_for,
            after: OrderId::from_bytes(input.after),
        };
        let read = Cursor::decode(&issued.encode(), user_id);
        assert_eq!(read, (issued_for == user_id).then_some(issued), "{input:?}");
    }
});
