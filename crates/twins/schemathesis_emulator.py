"""schemathesis hooks for the Lambda twin only (crates/twins/tests/schemathesis.rs sets SCHEMATHESIS_HOOKS).

`cargo lambda watch`'s function-URL emulator answers 500 by itself for a request body that is not
UTF-8 under a text content type (the function is never invoked, or its response is refused), where
AWS's front doors base64-encode such a body into the event. Those bodies test the emulator, not the
function, so they are not generated against it; the server twin still gets them. The function's own
handling of base64-encoded bodies is covered by the lambda crate's event tests.
"""

import schemathesis


@schemathesis.hook
def filter_body(context, body):
    if isinstance(body, (bytes, bytearray)):
        try:
            bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True
