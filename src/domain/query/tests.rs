use super::*;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-28 12:00 UTC);

fn kinds(query: &str) -> Vec<(bool, TermKind)> {
    parse(query, NOW).unwrap().into_iter().map(|t| (t.negated, t.kind)).collect()
}

fn error(query: &str) -> (String, &str) {
    let err = parse(query, NOW).unwrap_err();
    let pointed = &query[err.span.clone()];
    (err.message, pointed)
}

#[test]
fn the_example_from_the_readme_reads_term_by_term() {
    let terms =
        kinds("cat:billing pri:>=high st:open,in_progress assignee:me age:<2d \"card declined\" refund");
    assert_eq!(
        terms,
        [
            (false, TermKind::Categories(vec![Category::Billing])),
            (false, TermKind::Priorities(vec![Priority::High, Priority::Critical])),
            (false, TermKind::Statuses(vec![Status::Open, Status::InProgress])),
            (false, TermKind::Assignee(Who::Me)),
            (false, TermKind::Created(Bound::From(datetime!(2026-11-26 12:00:00.001 UTC)))),
            (false, TermKind::Phrase("card declined".into())),
            (false, TermKind::Word("refund".into())),
        ]
    );
}

#[test]
fn qualifiers_have_long_names_and_ignore_case() {
    assert_eq!(kinds("Category:BILLING"), kinds("cat:billing"));
    assert_eq!(kinds("priority:low,medium"), kinds("pri:<high"));
    assert_eq!(kinds("status:in-progress"), kinds("st:in_progress"));
    assert_eq!(kinds("pri:>medium"), kinds("pri:high,critical"));
    assert_eq!(kinds("pri:<=low"), kinds("pri:low"));
    assert_eq!(kinds("pri:=high"), kinds("pri:high"));
}

#[test]
fn minus_negates_any_term() {
    let terms = kinds("-st:closed -refund -\"charged twice\" -#7 -assignee:none");
    assert!(terms.iter().all(|(negated, _)| *negated), "{terms:?}");
    assert_eq!(terms[1].1, TermKind::Word("refund".into()));
    assert_eq!(terms[3].1, TermKind::Id(7));
    // A lone minus, or one before a space, is just text.
    assert_eq!(kinds("- x"), [(false, TermKind::Word("-".into())), (false, TermKind::Word("x".into()))]);
}

#[test]
fn ids_jump_to_one_ticket() {
    assert_eq!(kinds("#42"), [(false, TermKind::Id(42))]);
    assert_eq!(kinds("id:42"), [(false, TermKind::Id(42))]);
    assert_eq!(kinds("#abc"), [(false, TermKind::Word("#abc".into()))]);
    assert_eq!(error("id:0").1, "0");
}

#[test]
fn ages_and_dates_become_bounds_in_utc() {
    assert_eq!(
        kinds("age:>1w"),
        [(false, TermKind::Created(Bound::Before(datetime!(2026-11-21 12:00 UTC))))]
    );
    assert_eq!(
        kinds("age:<36h"),
        [(false, TermKind::Created(Bound::From(datetime!(2026-11-27 00:00:00.001 UTC))))]
    );
    assert_eq!(
        kinds("age:<=90m"),
        [(false, TermKind::Created(Bound::From(datetime!(2026-11-28 10:30 UTC))))]
    );
    assert_eq!(
        kinds("created:>=2026-11-01"),
        [(false, TermKind::Created(Bound::From(datetime!(2026-11-01 0:00 UTC))))]
    );
    assert_eq!(kinds("created:<2026-11-28T12:00Z"), [(false, TermKind::Created(Bound::Before(NOW)))]);
    assert_eq!(
        kinds("created:<=2026-11-28T12:00:05.5"),
        [(false, TermKind::Created(Bound::Before(datetime!(2026-11-28 12:00:05.501 UTC))))]
    );
    assert_eq!(
        kinds("created:2026-11-01"),
        [(
            false,
            TermKind::CreatedWithin {
                from: datetime!(2026-11-01 0:00 UTC),
                until: datetime!(2026-11-02 0:00 UTC)
            }
        )]
    );
}

#[test]
fn a_bad_value_is_named_and_pointed_at() {
    assert_eq!(
        error("cat:billing pri:>=urgent"),
        ("priority must be one of low, medium, high, critical".into(), "urgent")
    );
    assert_eq!(error("st:open,done").1, "done");
    assert_eq!(error("cat:billing,").1, "billing,", "an empty name points at the whole value");
    assert_eq!(error("foo:bar").1, "foo");
    assert!(error("foo:bar").0.contains("unknown qualifier foo:"), "{}", error("foo:bar").0);
    assert_eq!(error("age:2d").1, "2d");
    assert_eq!(error("age:<2y").1, "2y");
    assert_eq!(error("age:<99999999999999w").1, "99999999999999w");
    assert_eq!(error("created:2026-02-30").1, "2026-02-30");
    assert_eq!(error("created:2026-11-28T12:00").1, "2026-11-28T12:00");
    assert_eq!(error("assignee:a;b").1, "a;b");
    assert_eq!(error("cat:").1, "cat:");
    assert_eq!(error("refund \"card declined").1, "\"");
}

#[test]
fn text_that_merely_contains_colons_or_quotes_is_a_word() {
    assert_eq!(
        kinds("10:30 C++ a\"b"),
        [
            (false, TermKind::Word("10:30".into())),
            (false, TermKind::Word("C++".into())),
            (false, TermKind::Word("a\"b".into())),
        ]
    );
    assert_eq!(kinds("\"a:b\""), [(false, TermKind::Phrase("a:b".into()))]);
    assert_eq!(kinds("\"  \" x"), [(false, TermKind::Word("x".into()))], "an empty phrase asks nothing");
}

#[test]
fn spans_cover_each_term() {
    let query = "  -cat:billing  \"two words\" ünïcode";
    let spans: Vec<&str> = parse(query, NOW).unwrap().iter().map(|t| &query[t.span.clone()]).collect();
    assert_eq!(spans, ["-cat:billing", "\"two words\"", "ünïcode"]);
}

proptest::proptest! {
    /// No input panics, and every error points inside the query at whole characters.
    #[test]
    fn any_input_parses_or_points_at_its_mistake(query in "\\PC{0,40}|[-#:\"<>=, a-z0-9]{0,40}") {
        match parse(&query, NOW) {
            Ok(terms) => for term in terms {
                proptest::prop_assert!(query.get(term.span.clone()).is_some());
            },
            Err(err) => {
                proptest::prop_assert!(query.get(err.span.clone()).is_some(), "{:?} in {:?}", err.span, query);
                proptest::prop_assert!(!err.message.is_empty());
            }
        }
    }
}
