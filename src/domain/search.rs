//! What a search query means, independent of how it is executed.
//!
//! The query is split on whitespace and every term must match (AND), in the
//! title or the description. A term made only of letters and digits matches
//! the start of a word, case-insensitively (`refu` finds "refund"). Any other
//! term matches only text that contains it as written, case-insensitively
//! (`C++`, `a:b`, `who's`). No character is an operator.
//!
//! The query language adds two things a literal search never has: a phrase
//! (`"card declined"`: its words next to each other, in order, each matching as
//! a bare term does, punctuation and spacing between them ignored) and
//! negation (`-refund`: no match anywhere).
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
    /// Words (lowercased) that start consecutive words of one field, in order.
    Phrase(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    /// Every one must match.
    terms: Vec<Term>,
    /// None may match.
    unwanted: Vec<Term>,
}

/// Whether `c` belongs to a word. The full-text index's tokenizer must never
/// see a word start where this rule does not (or the index would miss rows
/// the rule accepts), so only characters every tokenizer agrees are breaks
/// count as breaks: ASCII punctuation, whitespace, and the punctuation blocks
/// of Latin-1, General Punctuation and CJK. Anything else that is not a letter
/// or digit (emoji, symbols, private-use and unassigned code points, which the
/// index's tables may count as letters) joins the word it touches.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if c.is_alphanumeric() {
        return true;
    }
    !(c.is_whitespace()
        || matches!(c, '\u{80}'..='\u{bf}' | '\u{d7}' | '\u{f7}' | '\u{2000}'..='\u{206f}' | '\u{3000}'..='\u{303f}'))
}

/// Case folding, one character at a time, the same for queries and text (so
/// a word matches itself: lowercasing a whole string turns a final Σ into ς).
/// A non-ASCII character whose lowercase is ASCII (İ, the Kelvin sign) is
/// kept as it is: the index does not fold it to ASCII either.
fn fold(c: char) -> char {
    let lower = c.to_lowercase().next().unwrap_or(c);
    if !c.is_ascii() && lower.is_ascii() { c } else { lower }
}

/// Every character that folds to `c` (`c` itself among them, if it folds
/// to itself): what text may hold where a folded query holds `c`.
pub fn unfolded(c: char) -> impl Iterator<Item = char> {
    static TO: std::sync::OnceLock<std::collections::HashMap<char, Vec<char>>> = std::sync::OnceLock::new();
    let others = TO.get_or_init(|| {
        let mut to: std::collections::HashMap<char, Vec<char>> = std::collections::HashMap::new();
        for t in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            if fold(t) != t {
                to.entry(fold(t)).or_default().push(t);
            }
        }
        to
    });
    (fold(c) == c).then_some(c).into_iter().chain(others.get(&c).into_iter().flatten().copied())
}

fn fold_str(text: &str) -> String {
    text.chars().map(fold).collect()
}

/// Whether the index folds `c` the way [`fold`] does: ASCII and the Latin-1
/// and Latin Extended-A letters. Terms with anything else are left to the
/// walk, which applies the rule exactly.
fn index_folds_alike(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || (matches!(c, '\u{c0}'..='\u{17f}')
            && c.is_alphabetic()
            && !matches!(c, '\u{130}' | '\u{131}' | '\u{17f}'))
}

fn bare_term(term: &str) -> Term {
    let lower = fold_str(term);
    if term.chars().all(is_word_char) { Term::WordPrefix(lower) } else { Term::Literal(lower) }
}

impl SearchQuery {
    /// Parses a literal search; `None` when it has no terms (blank), which
    /// means "no search".
    pub fn parse(query: &str) -> Option<SearchQuery> {
        let mut search = SearchQuery::default();
        for term in query.split_whitespace() {
            search.require(term);
        }
        (!search.is_empty()).then_some(search)
    }

    /// Both queries' terms at once.
    pub fn and(mut self, other: SearchQuery) -> SearchQuery {
        self.terms.extend(other.terms);
        self.unwanted.extend(other.unwanted);
        self
    }

    /// Whether the query asks nothing of the text.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.unwanted.is_empty()
    }

    /// Adds a bare term that must match (`refund`, `C++`).
    pub fn require(&mut self, term: &str) {
        self.terms.push(bare_term(term));
    }

    /// Adds a bare term that must not match (`-refund`).
    pub fn exclude(&mut self, term: &str) {
        self.unwanted.push(bare_term(term));
    }

    /// Adds a phrase that must (or, `wanted` false, must not) match. Its
    /// words are its runs of word characters; a phrase with none asks nothing.
    pub fn phrase(&mut self, phrase: &str, wanted: bool) {
        let words: Vec<String> =
            phrase.split(|c: char| !is_word_char(c)).filter(|w| !w.is_empty()).map(fold_str).collect();
        if words.is_empty() {
            return;
        }
        let list = if wanted { &mut self.terms } else { &mut self.unwanted };
        list.push(Term::Phrase(words));
    }

    /// Whether a ticket with this title and description matches every wanted
    /// term and none of the unwanted ones.
    pub fn matches(&self, title: &str, description: &str) -> bool {
        let mut lowered: Option<(String, String)> = None;
        let mut hit = |term: &Term| match term {
            Term::WordPrefix(prefix) => {
                has_word_starting_with(title, prefix) || has_word_starting_with(description, prefix)
            }
            Term::Literal(literal) => {
                let (title, description) =
                    lowered.get_or_insert_with(|| (fold_str(title), fold_str(description)));
                title.contains(literal.as_str()) || description.contains(literal.as_str())
            }
            Term::Phrase(words) => has_phrase(title, words) || has_phrase(description, words),
        };
        self.terms.iter().all(&mut hit) && !self.unwanted.iter().any(hit)
    }

    /// Plain ASCII text every matching row holds somewhere in its title or
    /// description (ignoring case): a cheap first test before the rule.
    /// Only wanted terms count, and only those in ASCII, where ignoring case
    /// is simple and agrees with the rule's folding.
    pub fn needles(&self) -> Vec<String> {
        let ascii = |t: &str| t.is_ascii() && !t.is_empty();
        let mut needles = Vec::new();
        for term in &self.terms {
            match term {
                Term::WordPrefix(prefix) | Term::Literal(prefix) if ascii(prefix) => {
                    needles.push(prefix.clone())
                }
                Term::Phrase(words) => needles.extend(words.iter().filter(|w| ascii(w)).cloned()),
                _ => {}
            }
        }
        needles
    }

    /// For each wanted term, the runs of ASCII characters in it, in order:
    /// a row the rule accepts holds them in that order in its title or in
    /// its description, ignoring ASCII case. Folding never turns another
    /// character into an ASCII one, so the ASCII of a folded term is the
    /// text's own (`über` leaves `ber`, `a@b.io` stays whole, the phrase
    /// `"credit card"` leaves `credit`, then `card`). A server engine's
    /// substring index narrows rows with these before the rule decides;
    /// keeping a phrase's words in one ordered test, rather than one test
    /// per word, lets the server judge how many rows hold it.
    pub fn ascii_sequences(&self) -> Vec<Vec<String>> {
        let mut sequences: Vec<Vec<String>> = Vec::new();
        for term in &self.terms {
            let words = match term {
                Term::WordPrefix(text) | Term::Literal(text) => std::slice::from_ref(text),
                Term::Phrase(words) => words.as_slice(),
            };
            let runs: Vec<String> = words
                .iter()
                .flat_map(|word| word.split(|c: char| !c.is_ascii()))
                .filter(|run| !run.is_empty())
                .map(str::to_owned)
                .collect();
            if !runs.is_empty() && !sequences.contains(&runs) {
                sequences.push(runs);
            }
        }
        sequences
    }

    /// The wanted terms as folded: some run of a matching row's title or
    /// description folds to each (see [`unfolded`]).
    pub fn folded_terms(&self) -> Vec<&str> {
        let mut texts = Vec::new();
        for term in &self.terms {
            match term {
                Term::WordPrefix(text) | Term::Literal(text) => texts.push(text.as_str()),
                Term::Phrase(words) => texts.extend(words.iter().map(String::as_str)),
            }
        }
        texts
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
                Term::WordPrefix(prefix) if prefix.chars().all(index_folds_alike) => {
                    tokens.push(format!("\"{prefix}\"*"))
                }
                // The index might fold or split this term differently: it
                // narrows nothing, and the rule alone decides.
                Term::WordPrefix(_) => {}
                Term::Literal(literal) => tokens.extend(literal_tokens(literal)),
                // Without positions the index cannot see adjacency; each word
                // of the phrase still starts a word of a matching row.
                Term::Phrase(words) => tokens.extend(
                    words
                        .iter()
                        .filter(|word| word.chars().all(index_folds_alike))
                        .map(|word| format!("\"{word}\"*")),
                ),
            }
        }
        (!tokens.is_empty()).then(|| tokens.join(" AND "))
    }
}

/// The distinct words of `text` the full-text index reads exactly as this
/// rule does (folded the same way), at least `min_chars` long, in order of
/// first appearance: what a lookup such as "possible duplicates" may ask
/// the index about.
pub fn index_words(text: &str, min_chars: usize) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    text.split(|c: char| !is_word_char(c))
        .filter(|word| word.chars().count() >= min_chars && word.chars().all(index_folds_alike))
        .map(fold_str)
        .filter(|word| seen.insert(word.clone()))
        .collect()
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
        let run = &literal[start..end];
        if start == 0 || !run.chars().all(index_folds_alike) {
            return;
        }
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

/// Whether consecutive words of `text` start with `words`, in order.
/// Walks the text once, without allocating: most texts walked do not match.
fn has_phrase(text: &str, words: &[String]) -> bool {
    let Some((first, rest)) = words.split_first() else { return true };
    let mut text_words = text.split(|c: char| !is_word_char(c)).filter(|w| !w.is_empty());
    while let Some(word) = text_words.next() {
        if starts_with_folded(word, first) {
            let mut following = text_words.clone();
            if rest.iter().all(|prefix| following.next().is_some_and(|w| starts_with_folded(w, prefix))) {
                return true;
            }
        }
    }
    false
}

fn starts_with_folded(word: &str, prefix: &str) -> bool {
    let mut folded = word.chars().map(fold);
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

    /// Cases found by fuzzing: the rule must match a word with itself, and
    /// the index expression must never be built from what the index folds
    /// or splits differently.
    #[test]
    fn folding_is_per_character_and_the_index_only_gets_what_it_reads_alike() {
        assert!(hit("ΟΔΟΣ", "ΟΔΟΣ address change", ""));
        assert!(hit("aΣ", "aΣ", ""));
        assert!(hit("İstanbul", "İstanbul office printer", ""));
        for query in ["İ", "ΟΔΟΣ", "ა", "🙂refund", "\u{10FFFD}a"] {
            let q = SearchQuery::parse(query).unwrap();
            if let Some(expr) = q.fts_expression() {
                for token in expr.split(" AND ") {
                    let bare = token.trim_end_matches('*').trim_matches('"');
                    assert!(
                        bare.chars().all(|c| c.is_ascii_alphanumeric() || c.is_alphabetic()),
                        "{query}: {expr}"
                    );
                }
            }
        }
        assert_eq!(SearchQuery::parse("ΟΔΟΣ").unwrap().fts_expression(), None, "left to the walk");
        assert_eq!(SearchQuery::parse("über").unwrap().fts_expression().as_deref(), Some("\"über\"*"));
    }

    #[test]
    fn symbols_glued_to_a_word_join_it() {
        // The index may read an emoji or a private-use character as a letter,
        // so the rule does too: both see one word, and agree.
        assert!(!hit("refund", "🙂refund please", ""));
        assert!(hit("🙂refund", "🙂refund please", ""));
        assert!(!hit("alpha", "\u{10FFFD}alpha", ""));
        // Punctuation every tokenizer agrees on still separates words.
        assert!(hit("refund", "«refund» — now", ""));
        assert!(hit("refund", "x\u{3001}refund", ""));
    }

    #[test]
    fn phrases_need_their_words_next_to_each_other_in_order() {
        let mut q = SearchQuery::default();
        q.phrase("card declined", true);
        assert!(q.matches("Card declined at checkout", ""));
        assert!(q.matches("x", "my cards, declined; twice"), "punctuation between is ignored");
        assert!(!q.matches("declined card", ""), "order matters");
        assert!(!q.matches("card was declined", ""), "adjacency matters");
        assert!(!q.matches("card", "declined"), "one field at a time");
        assert_eq!(q.fts_expression().as_deref(), Some("\"card\"* AND \"declined\"*"));
    }

    #[test]
    fn unwanted_terms_exclude_and_never_reach_the_index() {
        let mut q = SearchQuery::parse("refund").unwrap();
        q.exclude("march");
        q.phrase("charged twice", false);
        assert!(q.matches("Refund please", "in April"));
        assert!(!q.matches("Refund please", "in March"));
        assert!(!q.matches("Refund please", "I was charged twice"));
        assert_eq!(q.fts_expression().as_deref(), Some("\"refund\"*"));
        let mut only_unwanted = SearchQuery::default();
        only_unwanted.exclude("refund");
        assert!(!only_unwanted.is_empty());
        assert_eq!(only_unwanted.fts_expression(), None, "nothing to look up: the rows are walked");
    }

    #[test]
    fn ascii_sequences_are_the_ascii_of_wanted_terms_in_order() {
        let mut q = SearchQuery::parse("über Jane.Doe@Example.com ΟΔΟΣ über").unwrap();
        q.phrase("Card, déclined", true);
        q.exclude("refund");
        let sequences: Vec<Vec<&str>> =
            vec![vec!["ber"], vec!["jane.doe@example.com"], vec!["card", "d", "clined"]];
        assert_eq!(q.ascii_sequences(), sequences);
    }

    proptest::proptest! {
        /// A row the rule accepts holds every sequence's runs in order,
        /// ASCII case aside: a substring index asked for them never loses it.
        #[test]
        fn ascii_sequences_are_held_by_every_match(
            text in "[a-zA-Z0-9 .@:+'éÉßİK\u{212a}Σ-]{0,30}",
            start in 0usize..30,
            len in 1usize..8,
        ) {
            let chars: Vec<char> = text.chars().collect();
            let term: String = chars.iter().skip(start % (chars.len() + 1)).take(len).collect();
            // The piece as typed, and as a phrase.
            let mut phrase = SearchQuery::default();
            phrase.phrase(&term, true);
            let queries = SearchQuery::parse(&term).into_iter().chain([phrase]);
            let lowered = text.to_ascii_lowercase();
            for query in queries.filter(|query| query.matches(&text, "")) {
                for runs in query.ascii_sequences() {
                    let mut rest = lowered.as_str();
                    for run in &runs {
                        let at = rest.find(run.as_str());
                        proptest::prop_assert!(at.is_some(), "{runs:?} not in order in {text:?}");
                        rest = &rest[at.unwrap_or(0) + run.len()..];
                    }
                }
            }
        }
    }

    #[test]
    fn unfolded_gives_every_character_that_folds_alike() {
        let all = |c| unfolded(c).collect::<std::collections::BTreeSet<char>>();
        assert_eq!(all('σ'), ['Σ', 'σ'].into());
        assert_eq!(all('k'), ['K', 'k'].into(), "the Kelvin sign keeps its own form");
        assert_eq!(all('\u{212a}'), ['\u{212a}'].into());
        assert_eq!(all('İ'), ['İ'].into());
        assert!(all('A').is_empty(), "nothing folds to a capital");
        let q = SearchQuery::parse("ΟΔΟΣ x").unwrap();
        assert_eq!(q.folded_terms(), ["οδοσ", "x"]);
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
