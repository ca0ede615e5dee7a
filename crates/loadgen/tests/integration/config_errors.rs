//! Configs outside the supported subset fail at load time, naming the key (and where it is).

use twinstack_loadgen::Script;

const PHASES: &str = "config:\n  phases: [{ duration: 1, arrivalRate: 1 }]\n";

fn error(yaml: &str) -> String {
    Script::parse(yaml)
        .expect_err("the config is refused")
        .to_string()
}

fn with_flow(step: &str) -> String {
    format!("{PHASES}scenarios:\n  - flow:\n      - {step}\n")
}

#[test]
fn an_unsupported_phase_key_is_named_with_its_path() {
    let message =
        error("config:\n  phases: [{ duration: 60, arrivalCount: 100 }]\nscenarios: []\n");
    assert!(
        message.starts_with("config.phases[0].arrivalCount: `arrivalCount` is not supported"),
        "{message}"
    );
    assert!(message.contains("would change the traffic"), "{message}");
}

#[test]
fn unsupported_keys_anywhere_are_named() {
    let cases = [
        (
            format!("{PHASES}  processor: ./hooks.js\nscenarios: []\n"),
            "config.processor",
        ),
        (
            format!("{PHASES}  payload: {{ path: users.csv }}\nscenarios: []\n"),
            "config.payload",
        ),
        (
            format!("{PHASES}  plugins:\n    expect: {{}}\nscenarios: []\n"),
            "config.plugins.expect",
        ),
        (
            format!("{PHASES}  http:\n    pool: 10\nscenarios: []\n"),
            "config.http.pool",
        ),
        (
            format!("{PHASES}before:\n  flow: []\nscenarios: []\n"),
            "before",
        ),
        (
            with_flow("loop: [{ get: { url: / } }]"),
            "scenarios[0].flow[0].loop",
        ),
        (
            with_flow("get: { url: /a, body: x }"),
            "scenarios[0].flow[0].get.body",
        ),
        (
            with_flow("get: { url: /a, expect: [{ statusCode: 200 }] }"),
            "scenarios[0].flow[0].get.expect",
        ),
        (
            with_flow("get: { url: /a, capture: { regexp: 'x', as: y } }"),
            "scenarios[0].flow[0].get.capture.regexp",
        ),
        (with_flow("head: { url: /a }"), "scenarios[0].flow[0].head"),
        (
            format!(
                "{PHASES}scenarios:\n  - beforeScenario: setUp\n    flow: [{{ get: {{ url: /a }} }}]\n"
            ),
            "scenarios[0].beforeScenario",
        ),
    ];
    for (yaml, path) in cases {
        let message = error(&yaml);
        let key = path.rsplit('.').next().unwrap();
        assert!(
            message.starts_with(&format!("{path}: `{key}` is not supported")),
            "{path}: {message}"
        );
    }
}

#[test]
fn traffic_outside_the_target_and_unknown_variables_are_refused() {
    let absolute = error(&with_flow("get: { url: 'https://elsewhere.example/x' }"));
    assert!(
        absolute.starts_with("scenarios[0].flow[0].get.url: only paths"),
        "{absolute}"
    );
    let typo = error(&with_flow(
        "post: { url: /a, json: { userId: '{{ usrId }}' } }",
    ));
    assert!(
        typo.contains("`{{ usrId }}` is neither in config.variables nor captured"),
        "{typo}"
    );
    let later_capture = error(&format!(
        "{PHASES}scenarios:\n  - flow:\n      - get: {{ url: '/a/{{{{ id }}}}' }}\n      - get: {{ url: /b, capture: {{ json: $.id, as: id }} }}\n"
    ));
    assert!(later_capture.contains("`{{ id }}`"), "{later_capture}");
}

#[test]
fn unsupported_templates_and_captures_are_refused_with_the_reason() {
    let function = error(&with_flow("get: { url: '/a/{{ $uuid() }}' }"));
    assert!(
        function.contains("only $randomNumber(a, b) and $randomString(n)"),
        "{function}"
    );
    let wildcard = error(&with_flow(
        "get: { url: /a, capture: { json: '$.items[*].id', as: ids } }",
    ));
    assert!(wildcard.contains("$.items[*].id"), "{wildcard}");
    let fractional_think = error(&with_flow("think: 0.5"));
    assert!(
        fractional_think.starts_with("scenarios[0].flow[0].think:"),
        "{fractional_think}"
    );
}
