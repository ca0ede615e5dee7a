//! Artillery templates as a config author can write them, rendered against any variables: parsing
//! refuses or accepts, rendering always answers, and text without a template renders as written.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use twinstack_loadgen::jsonpath::JsonPath;
use twinstack_loadgen::template::{Template, Vars};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    template: &'a str,
    capture: &'a str,
    /// Variable names and their values as JSON text (captures can hold any JSON).
    vars: Vec<(&'a str, &'a str)>,
}

fuzz_target!(|input: Input<'_>| {
    let vars: Vars = input
        .vars
        .iter()
        .filter_map(|(name, json)| Some(((*name).to_owned(), serde_json::from_str(json).ok()?)))
        .collect();
    if let Ok(template) = Template::parse(input.template) {
        assert_eq!(template.raw(), input.template);
        let text = template.render_string(&vars);
        if !template.is_templated() {
            assert_eq!(text, input.template);
            assert_eq!(
                template.render_value(&vars),
                Some(Value::String(text)),
                "{input:?}"
            );
        } else {
            template.render_value(&vars);
        }
    }
    if let Ok(path) = JsonPath::parse_capture(input.capture) {
        vars.values().for_each(|document| {
            path.select(document);
        });
    }
});
