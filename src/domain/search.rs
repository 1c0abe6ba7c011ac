//! What a search query means, independent of how it is executed.
//!
//! The query is split on whitespace and every term must match (AND), in the
//! title or the description. A term made only of letters and digits matches
//! the start of a word, case-insensitively (`refu` finds "refund"). Any other
//! term matches only text that contains it as written, case-insensitively
//! (`C++`, `a:b`, `who's`). No character is an operator.
//!
//! [`SearchQuery::matches`] is the rule itself. The store may narrow the rows
//! with the full-text index first ([`SearchQuery::fts_expression`]), but every
//! candidate is checked with `matches`, so each way of running a query gives
//! the same rows.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    /// Letters and digits only, lowercased: matches the start of a word.
    WordPrefix(String),
    /// Anything else, lowercased: matches as a substring.
    Literal(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<Term>,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

impl SearchQuery {
    /// Parses a query; `None` when it has no terms (blank), which means "no search".
    pub fn parse(query: &str) -> Option<SearchQuery> {
        let terms: Vec<Term> = query
            .split_whitespace()
            .map(|term| {
                let lower = term.to_lowercase();
                if term.chars().all(is_word_char) { Term::WordPrefix(lower) } else { Term::Literal(lower) }
            })
            .collect();
        (!terms.is_empty()).then_some(SearchQuery { terms })
    }

    /// Whether a ticket with this title and description matches every term.
    pub fn matches(&self, title: &str, description: &str) -> bool {
        let mut lowered: Option<(String, String)> = None;
        self.terms.iter().all(|term| match term {
            Term::WordPrefix(prefix) => {
                has_word_starting_with(title, prefix) || has_word_starting_with(description, prefix)
            }
            Term::Literal(literal) => {
                let (title, description) =
                    lowered.get_or_insert_with(|| (title.to_lowercase(), description.to_lowercase()));
                title.contains(literal.as_str()) || description.contains(literal.as_str())
            }
        })
    }

    /// An FTS5 query whose matches include every row [`matches`](Self::matches)
    /// accepts (and usually a few more), or `None` when no term gives the index
    /// anything to work with (`%`, `C++`): then the rows must be walked.
    ///
    /// Each token is a quoted run of letters and digits, so nothing the user
    /// typed can act as FTS5 syntax.
    pub fn fts_expression(&self) -> Option<String> {
        let mut tokens = Vec::new();
        for term in &self.terms {
            match term {
                Term::WordPrefix(prefix) => tokens.push(format!("\"{prefix}\"*")),
                Term::Literal(literal) => tokens.extend(literal_tokens(literal)),
            }
        }
        (!tokens.is_empty()).then(|| tokens.join(" AND "))
    }
}

/// Index tokens implied by a literal such as `multi-agent` or `a:b`. A run of
/// word characters at the very start of the literal may be the tail of a longer
/// word in the text (`multi-agent` is inside `antimulti-agents`), so it tells
/// the index nothing; a run after punctuation starts a word; a run that ends
/// the literal may continue (`agent` in `agents`), so it is a prefix.
fn literal_tokens(literal: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut run_start: Option<usize> = None;
    let mut push = |start: usize, end: usize| {
        if start == 0 {
            return;
        }
        let run = &literal[start..end];
        if end == literal.len() {
            tokens.push(format!("\"{run}\"*"));
        } else {
            tokens.push(format!("\"{run}\""));
        }
    };
    for (i, c) in literal.char_indices() {
        match (is_word_char(c), run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(start)) => {
                push(start, i);
                run_start = None;
            }
            _ => {}
        }
    }
    if let Some(start) = run_start {
        push(start, literal.len());
    }
    tokens
}

/// Whether some word of `text` starts with `prefix` (already lowercased),
/// comparing case-insensitively without allocating.
fn has_word_starting_with(text: &str, prefix: &str) -> bool {
    text.split(|c: char| !is_word_char(c)).any(|word| starts_with_folded(word, prefix))
}

fn starts_with_folded(word: &str, prefix: &str) -> bool {
    let mut folded = word.chars().flat_map(char::to_lowercase);
    prefix.chars().all(|p| folded.next() == Some(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(query: &str, title: &str, description: &str) -> bool {
        SearchQuery::parse(query).unwrap().matches(title, description)
    }

    #[test]
    fn plain_terms_match_word_starts_case_insensitively() {
        assert!(hit("refu", "Refund please", "x"));
        assert!(hit("REFUND", "x", "I want a refund."));
        assert!(!hit("harged", "charged twice", "x"));
        assert!(hit("march charged", "Charged twice", "in March"));
        assert!(!hit("march charged", "Charged twice", "in April"));
        assert!(hit("élan", "x", "plein d'Élan"));
        assert!(hit("500", "Error 500 on save", "x"));
    }

    #[test]
    fn punctuated_terms_match_as_written() {
        assert!(hit("C++", "crash in the c++ sdk", "x"));
        assert!(!hit("C++", "crash in the c sdk", "c + + c"));
        assert!(hit("a:b", "x", "key a:b set"));
        assert!(!hit("a:b", "x", "a b"));
        assert!(hit("multi-agent", "x", "antimulti-agents"));
        assert!(hit("who's", "Who's on call", "x"));
        assert!(hit("%", "100% broken", "x"));
        assert!(!hit("%", "broken", "x"));
        assert!(hit("\"quoted\"", "x", "say \"quoted\" text"));
    }

    #[test]
    fn blank_query_is_no_query() {
        assert_eq!(SearchQuery::parse("  \t "), None);
    }

    #[test]
    fn fts_expression_quotes_every_token() {
        let q = SearchQuery::parse("refu AND NEAR( \"x\" multi-agent C++ a:b").unwrap();
        assert_eq!(q.fts_expression().unwrap(), "\"refu\"* AND \"and\"* AND \"x\" AND \"agent\"* AND \"b\"*");
        assert_eq!(SearchQuery::parse("C++ % *").unwrap().fts_expression(), None);
    }

    proptest::proptest! {
        /// The index never loses a row the rule accepts: every token the FTS
        /// expression asks for is the start of a word in the matching text.
        #[test]
        fn fts_tokens_are_implied_by_a_match(words in proptest::collection::vec("[a-zA-Z0-9:+'-]{1,8}", 1..6), pick in 0usize..6, skip in 0usize..8, take in 1usize..8) {
            let text = words.join(" ");
            let word = &words[pick % words.len()];
            let term: String = word.chars().skip(skip % word.len()).take(take).collect();
            let query = SearchQuery::parse(&term).unwrap();
            proptest::prop_assume!(query.matches(&text, ""));
            if let Some(expr) = query.fts_expression() {
                let lower = text.to_lowercase();
                let text_words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).collect();
                for token in expr.split(" AND ") {
                    let bare = token.trim_end_matches('*').trim_matches('"');
                    let ok = if token.ends_with('*') {
                        text_words.iter().any(|w| w.starts_with(bare))
                    } else {
                        text_words.contains(&bare)
                    };
                    proptest::prop_assert!(ok, "{token} not implied by {text}");
                }
            }
        }
    }
}
