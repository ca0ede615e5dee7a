//! `POST /api/orders` bodies.

use super::*;

/// Any JSON value, with keys drawn mostly from the ones `create_order` looks at.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1001i64..1001).prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        (-5.0f64..5.0).prop_map(Value::from),
        prop::sample::select(vec![1.0, 2.0, 1000.0, 1001.0, 1e16, 1e300, -0.0])
            .prop_map(Value::from),
        "[A-Za-z0-9 _-]{0,6}".prop_map(Value::from),
        any_text().prop_map(Value::from),
    ];
    let key = prop_oneof![
        4 => prop::sample::select(vec!["userId", "items", "sku", "qty"]).prop_map(str::to_owned),
        1 => "[a-zA-Z\\[\\].]{0,6}",
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..5)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A generated field: the JSON to send and, when the contract accepts it, the parsed value.
type Field<T> = (Value, Option<T>);

fn user_id_field() -> impl Strategy<Value = Field<i64>> {
    prop_oneof![
        12 => (1..=i64::MAX).prop_map(|n| (json!(n), Some(n))),
        4 => (1..1_000_000i64).prop_map(|n| (json!(n as f64), Some(n))),
        1 => (i64::MIN..=0).prop_map(|n| (json!(n), None)),
        1 => (i64::MAX as u64 + 1..=u64::MAX).prop_map(|n| (json!(n), None)),
        1 => (0..1000i64).prop_map(|n| (json!(n as f64 + 0.5), None)),
        1 => "[0-9]{1,4}".prop_map(|s| (json!(s), None)),
        1 => Just((Value::Null, None)),
        1 => Just((json!([1]), None)),
    ]
}

fn sku_field() -> impl Strategy<Value = Field<Sku>> {
    prop_oneof![
        24 => prop::sample::select(vec!["A", "B", "C", "PROD-001", "prod-001", "x_y", "Z-9", "q"])
            .prop_map(|s| (json!(s), Some(sku(s)))),
        1 => prop::sample::select(vec!["", "bad sku", "é", "PROD.001"]).prop_map(|s| (json!(s), None)),
        1 => Just((json!("x".repeat(65)), None)),
        1 => Just((json!(7), None)),
        1 => Just((Value::Null, None)),
    ]
}

fn qty_field() -> impl Strategy<Value = Field<Qty>> {
    prop_oneof![
        18 => (1..=1000u32).prop_map(|n| (json!(n), Qty::new(n))),
        6 => (1..=1000u32).prop_map(|n| (json!(f64::from(n)), Qty::new(n))),
        1 => prop::sample::select(vec![0i64, -1, 1001, i64::from(u32::MAX) + 1, i64::MIN])
            .prop_map(|n| (json!(n), None)),
        1 => Just((json!(2.5), None)),
        1 => Just((json!("3"), None)),
        1 => Just((Value::Null, None)),
    ]
}

/// One line of `items`: not an object at all, or an object whose fields may be missing, wrong or
/// joined by an unknown one.
#[derive(Clone, Debug)]
enum LineCase {
    NotAnObject(Value),
    Object {
        sku: Option<Field<Sku>>,
        qty: Option<Field<Qty>>,
        extra: bool,
    },
}

fn line_case() -> impl Strategy<Value = LineCase> {
    prop_oneof![
        1 => prop::sample::select(vec![json!("PROD-001"), json!(1), Value::Null, json!([])])
            .prop_map(LineCase::NotAnObject),
        16 => (
            prop::option::weighted(0.95, sku_field()),
            prop::option::weighted(0.95, qty_field()),
            prop::bool::weighted(0.05),
        )
            .prop_map(|(sku, qty, extra)| LineCase::Object { sku, qty, extra }),
    ]
}

/// Long lists of good, distinct lines around the 50-item limit.
fn long_lines() -> impl Strategy<Value = Vec<LineCase>> {
    (48usize..=52).prop_map(|n| {
        (0..n)
            .map(|i| {
                let text = format!("SKU-{i}");
                LineCase::Object {
                    sku: Some((json!(text), Some(sku(&text)))),
                    qty: Some((json!(1), Qty::new(1))),
                    extra: false,
                }
            })
            .collect()
    })
}

#[derive(Clone, Debug)]
enum ItemsCase {
    NotAnArray(Value),
    Lines(Vec<LineCase>),
}

#[derive(Clone, Debug)]
enum BodyCase {
    NotAnObject(Value),
    Object {
        user_id: Option<Field<i64>>,
        items: Option<ItemsCase>,
        extra: bool,
    },
}

fn body_case() -> impl Strategy<Value = BodyCase> {
    let items = prop_oneof![
        1 => prop::sample::select(vec![json!({}), json!("items"), Value::Null, json!(3)])
            .prop_map(ItemsCase::NotAnArray),
        8 => prop::collection::vec(line_case(), 0..=4).prop_map(ItemsCase::Lines),
        2 => long_lines().prop_map(ItemsCase::Lines),
    ];
    prop_oneof![
        1 => prop::sample::select(vec![json!([]), json!("order"), Value::Null, json!(1)])
            .prop_map(BodyCase::NotAnObject),
        12 => (
            prop::option::weighted(0.95, user_id_field()),
            prop::option::weighted(0.95, items),
            prop::bool::weighted(0.05),
        )
            .prop_map(|(user_id, items, extra)| BodyCase::Object { user_id, items, extra }),
    ]
}

/// What the contract says about a body: its JSON, the command when it is valid, and otherwise
/// the field paths of every rule it breaks (store checks aside).
struct Expectation {
    json: Value,
    command: Option<CreateOrder>,
    fields: Vec<String>,
}

fn expect(case: &BodyCase) -> Expectation {
    let (user_id, items, extra) = match case {
        BodyCase::NotAnObject(json) => {
            return Expectation {
                json: json.clone(),
                command: None,
                fields: vec![String::new()],
            };
        }
        BodyCase::Object {
            user_id,
            items,
            extra,
        } => (user_id, items, *extra),
    };
    let mut json = serde_json::Map::new();
    let mut fields = Vec::new();
    if extra {
        json.insert("extra".into(), json!(true));
        fields.push("extra".to_owned());
    }
    let user_id = match user_id {
        Some((value, parsed)) => {
            json.insert("userId".into(), value.clone());
            parsed.map(user)
        }
        None => None,
    };
    if user_id.is_none() {
        fields.push("userId".to_owned());
    }
    let lines = match items {
        None => None,
        Some(ItemsCase::NotAnArray(value)) => {
            json.insert("items".into(), value.clone());
            None
        }
        Some(ItemsCase::Lines(lines)) => {
            let (lines_json, parsed) = expect_lines(lines, &mut fields);
            json.insert("items".into(), lines_json);
            parsed
        }
    };
    let items_ok = matches!(items, Some(ItemsCase::Lines(l)) if (1..=50).contains(&l.len()));
    if !items_ok {
        fields.push("items".to_owned());
    }
    let command = match (user_id, lines) {
        (Some(user_id), Some(items)) if fields.is_empty() => Some(CreateOrder { user_id, items }),
        _ => None,
    };
    Expectation {
        json: Value::Object(json),
        command,
        fields,
    }
}

/// The lines' JSON and, when every line is good and the skus are distinct, the parsed lines.
/// Errors are only expected for 1–50 lines: outside that the list is refused as a whole.
fn expect_lines(
    lines: &[LineCase],
    fields: &mut Vec<String>,
) -> (Value, Option<Vec<OrderItemRequest>>) {
    let checked = (1..=50).contains(&lines.len());
    let mut report = |field: String| {
        if checked {
            fields.push(field);
        }
    };
    let mut json = Vec::new();
    let mut parsed = Vec::new();
    let mut seen = HashSet::new();
    for (i, line) in lines.iter().enumerate() {
        match line {
            LineCase::NotAnObject(value) => {
                json.push(value.clone());
                report(format!("items[{i}]"));
            }
            LineCase::Object { sku, qty, extra } => {
                let mut object = serde_json::Map::new();
                if *extra {
                    object.insert("extra".into(), json!(1));
                    report(format!("items[{i}].extra"));
                }
                let sku = sku.as_ref().and_then(|(value, parsed)| {
                    object.insert("sku".into(), value.clone());
                    parsed.clone()
                });
                match &sku {
                    None => report(format!("items[{i}].sku")),
                    // A repeated sku is reported on the later line.
                    Some(sku) if !seen.insert(sku.clone()) => report(format!("items[{i}].sku")),
                    Some(_) => {}
                }
                let qty = qty.as_ref().and_then(|(value, parsed)| {
                    object.insert("qty".into(), value.clone());
                    *parsed
                });
                if qty.is_none() {
                    report(format!("items[{i}].qty"));
                }
                json.push(Value::Object(object));
                if let (Some(sku), Some(qty)) = (sku, qty) {
                    parsed.push(OrderItemRequest { sku, qty });
                }
            }
        }
    }
    let all_good = parsed.len() == lines.len();
    (Value::Array(json), all_good.then_some(parsed))
}

/// A rendered field path split back into keys and indexes, which sort like the contract's
/// "sorted by field path": `items[2]` before `items[10]`, the body itself (``) first.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Key(String),
    Index(usize),
}

fn parts(rendered: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    for dotted in rendered.split('.').filter(|s| !s.is_empty()) {
        let mut pieces = dotted.split('[');
        let key = pieces.next().unwrap_or_default();
        if !key.is_empty() {
            parts.push(Part::Key(key.to_owned()));
        }
        for index in pieces {
            let index = index.strip_suffix(']').expect("closed index");
            parts.push(Part::Index(index.parse().expect("numeric index")));
        }
    }
    parts
}

proptest! {
    #![proptest_config(config(256))]

    /// Validation takes whatever JSON the HTTP layer parsed: it must never panic, a refusal always
    /// names at least one field, an acceptance always satisfies every rule, and the same body always
    /// gets the same answer.
    #[test]
    fn validating_any_json_never_panics_and_a_refusal_always_says_why(
        body in prop_oneof![
            any_json(),
            (any_json(), any_json()).prop_map(|(user_id, items)| json!({"userId": user_id, "items": items})),
            (any_json(), prop::collection::vec(any_json(), 0..5))
                .prop_map(|(user_id, items)| json!({"userId": user_id, "items": items})),
        ],
    ) {
        let result = CreateOrderRequest::parse(&body);
        match &result {
            Err(errors) => prop_assert!(!errors.is_empty()),
            Ok(command) => {
                prop_assert!((1..=CreateOrder::MAX_ITEMS).contains(&command.items.len()));
                prop_assert!(command.user_id.get() >= 1);
                let skus: HashSet<_> = command.items.iter().map(|line| &line.sku).collect();
                prop_assert_eq!(skus.len(), command.items.len());
                prop_assert!(command.items.iter().all(|line| (1..=1000).contains(&line.qty.get())));
            }
        }
        prop_assert_eq!(CreateOrderRequest::parse(&body), result);
    }

    /// The oracle: a body is accepted exactly when it is an object with only `userId` and `items`,
    /// a positive integer user id (integral floats allowed), and 1–50 lines of known-good, distinct
    /// skus with qty 1–1000; the command keeps the lines in request order.
    #[test]
    fn an_order_body_is_accepted_exactly_when_every_rule_holds(case in body_case()) {
        let expected = expect(&case);
        let result = CreateOrderRequest::parse(&expected.json);
        prop_assert_eq!(result.as_ref().ok(), expected.command.as_ref(), "body {}", expected.json);
    }

    /// All store-free checks are reported together, one error per broken rule at its field path,
    /// and the error list sorts by field path in reading order (`items[2]` before `items[10]`).
    #[test]
    fn every_broken_rule_is_reported_and_the_errors_sort_by_field_path(case in body_case()) {
        let expected = expect(&case);
        let Err(errors) = CreateOrderRequest::parse(&expected.json) else {
            prop_assert!(expected.command.is_some());
            return Ok(());
        };
        let ApiError::Validation(details) = ApiError::validation(errors) else {
            unreachable!("validation builds a validation error");
        };
        let reported: Vec<Vec<Part>> = details.iter().map(|d| parts(&d.field.to_string())).collect();
        let mut wanted: Vec<Vec<Part>> = expected.fields.iter().map(|f| parts(f)).collect();
        wanted.sort();
        prop_assert_eq!(reported, wanted, "body {}", expected.json);
    }
}
