//! The offline classifier: two multinomial naive Bayes models (category and
//! priority) over words and word pairs, trained on the shipped sample tickets,
//! a small keyword prior, and the team's own recent tickets, which weigh more.
//! Training is a count update, so learning from a new ticket is instant.

use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

use super::Confidence;
use crate::domain::{Category, Priority};

use crate::samples::SAMPLE_TICKETS;
const KEYWORD_PRIORS: &str = include_str!("../../assets/keyword-priors.toml");

/// A ticket the database holds counts this many times a sample ticket.
pub const TEAM_WEIGHT: f64 = 2.0;

/// Words too common to say anything about a ticket.
const STOPWORDS: &[&str] = &[
    "the", "and", "for", "you", "your", "our", "are", "was", "were", "this", "that", "with", "have", "has",
    "had", "but", "not", "from", "they", "them", "there", "their", "what", "when", "which", "will", "would",
    "could", "should", "been", "being", "into", "about", "just", "also", "can", "any", "all", "its", "it's",
    "i'm", "we", "me", "my", "is", "it", "to", "of", "in", "on", "at", "an", "a", "be", "or", "as", "so",
    "if", "do", "did", "does", "please", "hi", "hello", "thanks", "us", "by", "no", "yes", "get", "got",
];

/// The most words of one text the model reads: what a ticket is about shows
/// in its first few hundred words, and a pasted log of megabytes must not
/// cost seconds, nor outweigh every other ticket the model learned from.
pub const MAX_WORDS: usize = 400;

/// Lowercased words (letters, digits, inner apostrophes) and adjacent pairs
/// joined by `_`, stopwords left out of the single words. Only the first
/// [`MAX_WORDS`] words count.
pub fn features(text: &str) -> Vec<String> {
    let words: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .map(str::to_lowercase)
        .collect();
    let mut out: Vec<String> = words
        .iter()
        .filter(|w| {
            (w.chars().count() >= 2 || w.chars().all(|c| c.is_ascii_digit()))
                && !STOPWORDS.contains(&w.as_str())
        })
        .cloned()
        .collect();
    out.extend(words.windows(2).map(|pair| format!("{}_{}", pair[0], pair[1])));
    out
}

/// One naive Bayes model over `N` labels.
#[derive(Debug, Clone)]
struct NaiveBayes<const N: usize> {
    docs: [f64; N],
    words: HashMap<String, [f64; N]>,
    totals: [f64; N],
    max_vocabulary: usize,
}

impl<const N: usize> NaiveBayes<N> {
    fn new(max_vocabulary: usize) -> Self {
        NaiveBayes { docs: [0.0; N], words: HashMap::new(), totals: [0.0; N], max_vocabulary }
    }

    fn learn(&mut self, features: &[String], label: usize, weight: f64) {
        self.docs[label] += weight;
        for feature in features {
            self.add_word(feature, label, weight);
        }
        if self.words.len() > self.max_vocabulary {
            self.prune();
        }
    }

    fn add_word(&mut self, word: &str, label: usize, weight: f64) {
        match self.words.get_mut(word) {
            Some(counts) => counts[label] += weight,
            None => {
                let mut counts = [0.0; N];
                counts[label] = weight;
                self.words.insert(word.to_owned(), counts);
            }
        }
        self.totals[label] += weight;
    }

    /// Keeps memory bounded: drops the rarest words until the vocabulary is
    /// back to 90% of its cap.
    fn prune(&mut self) {
        let mut weights: Vec<f64> = self.words.values().map(|c| c.iter().sum()).collect();
        // Written so that no cap, however large or small, can overflow.
        let keep = self.max_vocabulary - self.max_vocabulary / 10;
        let cut = weights.len().saturating_sub(keep);
        if cut >= weights.len() {
            self.words.clear();
            self.totals = [0.0; N];
            return;
        }
        weights.select_nth_unstable_by(cut, |a, b| a.total_cmp(b));
        let threshold = weights[cut];
        let mut dropped = 0;
        self.words.retain(|_, counts| {
            let weight: f64 = counts.iter().sum();
            let keep = weight > threshold || dropped >= cut;
            if !keep {
                dropped += 1;
            }
            keep
        });
        self.totals = [0.0; N];
        for counts in self.words.values() {
            for (total, count) in self.totals.iter_mut().zip(counts) {
                *total += count;
            }
        }
    }

    /// Posterior probabilities per label, and the features that pushed most
    /// towards the winner.
    fn predict(&self, features: &[String]) -> ([f64; N], Vec<String>) {
        let vocabulary = self.words.len().max(1) as f64;
        let all_docs: f64 = self.docs.iter().sum::<f64>().max(1.0);
        let mut scores = [0.0; N];
        for (label, score) in scores.iter_mut().enumerate() {
            *score = ((self.docs[label] + 1.0) / (all_docs + N as f64)).ln();
        }
        let mut evidence: Vec<(f64, usize, &String)> = Vec::new();
        for feature in features {
            let Some(counts) = self.words.get(feature) else { continue };
            let mut logs = [0.0; N];
            for label in 0..N {
                logs[label] = ((counts[label] + 1.0) / (self.totals[label] + vocabulary)).ln();
                scores[label] += logs[label];
            }
            let best = argmax(&logs);
            let runner_up =
                logs.iter().enumerate().filter(|(i, _)| *i != best).map(|(_, l)| *l).fold(f64::MIN, f64::max);
            evidence.push((logs[best] - runner_up, best, feature));
        }
        let max = scores.iter().copied().fold(f64::MIN, f64::max);
        let mut probabilities = scores.map(|s| (s - max).exp());
        let sum: f64 = probabilities.iter().sum();
        probabilities.iter_mut().for_each(|p| *p /= sum);
        let winner = argmax(&probabilities);
        evidence.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut telling: Vec<String> = Vec::new();
        for (_, label, feature) in evidence {
            let word = feature.replace('_', " ");
            if label == winner && !telling.contains(&word) {
                telling.push(word);
            }
            if telling.len() == 3 {
                break;
            }
        }
        (probabilities, telling)
    }
}

fn argmax(values: &[f64]) -> usize {
    values.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i)
}

fn category_index(c: Category) -> usize {
    Category::ALL.iter().position(|x| *x == c).unwrap_or(0)
}

fn priority_index(p: Priority) -> usize {
    Priority::ALL.iter().position(|x| *x == p).unwrap_or(0)
}

/// What the local model suggests for a text.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalPrediction {
    pub category: Category,
    pub priority: Priority,
    pub confidence: Confidence,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct LocalModel {
    category: NaiveBayes<4>,
    priority: NaiveBayes<4>,
    team_examples: usize,
}

#[derive(Deserialize)]
struct Sample {
    title: String,
    description: String,
    category: Category,
    priority: Priority,
}

#[derive(Deserialize)]
struct Priors {
    weight: f64,
    category: HashMap<Category, Vec<String>>,
    priority: HashMap<Priority, Vec<String>>,
}

/// The shipped sample tickets, parsed once.
static SAMPLES: LazyLock<Vec<Sample>> = LazyLock::new(|| {
    SAMPLE_TICKETS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
});

/// A labelled example: title, description, category, priority.
pub type Example<'a> = (&'a str, &'a str, Category, Priority);

/// The shipped sample tickets as examples (also the seed corpus for evaluation).
pub fn sample_examples() -> Vec<Example<'static>> {
    SAMPLES.iter().map(|s| (s.title.as_str(), s.description.as_str(), s.category, s.priority)).collect()
}

impl LocalModel {
    /// A model with nothing learned yet but the keyword prior.
    pub fn empty(max_vocabulary: usize) -> LocalModel {
        let mut model = LocalModel {
            category: NaiveBayes::new(max_vocabulary),
            priority: NaiveBayes::new(max_vocabulary),
            team_examples: 0,
        };
        // The shipped file is tested; a broken edit would only lose the prior.
        if let Ok(priors) = toml::from_str::<Priors>(KEYWORD_PRIORS) {
            for (category, words) in &priors.category {
                for word in words {
                    model.category.add_word(word, category_index(*category), priors.weight);
                }
            }
            for (priority, words) in &priors.priority {
                for word in words {
                    model.priority.add_word(word, priority_index(*priority), priors.weight);
                }
            }
        }
        model
    }

    /// The keyword prior plus the shipped sample tickets: useful offline from
    /// the first run.
    pub fn seeded(max_vocabulary: usize) -> LocalModel {
        LocalModel::seeded_except(max_vocabulary, |_| false)
    }

    /// The same, leaving out the samples `skip` picks (an evaluation must not
    /// test on tickets the model was seeded with).
    pub fn seeded_except(max_vocabulary: usize, skip: impl Fn(&Example<'_>) -> bool) -> LocalModel {
        let mut model = LocalModel::empty(max_vocabulary);
        for example in sample_examples().into_iter().filter(|e| !skip(e)) {
            model.learn(example, 1.0);
        }
        model
    }

    /// Learns one labelled ticket with a weight (samples 1, the team's
    /// tickets [`TEAM_WEIGHT`]).
    pub fn learn(&mut self, (title, description, category, priority): Example<'_>, weight: f64) {
        let features = features(&format!("{title}\n{description}"));
        self.category.learn(&features, category_index(category), weight);
        self.priority.learn(&features, priority_index(priority), weight);
    }

    /// Learns a ticket the team filed.
    pub fn learn_team(&mut self, example: Example<'_>) {
        self.learn(example, TEAM_WEIGHT);
        self.team_examples += 1;
    }

    pub fn team_examples(&self) -> usize {
        self.team_examples
    }

    pub fn vocabulary(&self) -> usize {
        self.category.words.len().max(self.priority.words.len())
    }

    pub fn predict(&self, text: &str) -> LocalPrediction {
        let features = features(text);
        let (categories, category_words) = self.category.predict(&features);
        let (priorities, priority_words) = self.priority.predict(&features);
        let category = Category::ALL[argmax(&categories)];
        let priority = Priority::ALL[argmax(&priorities)];
        let sure = categories[argmax(&categories)].min(priorities[argmax(&priorities)]);
        let confidence = match sure {
            p if p >= 0.9 && category_words.len() >= 2 => Confidence::High,
            p if p >= 0.6 => Confidence::Medium,
            _ => Confidence::Low,
        };
        let reason = match (category_words.is_empty(), priority_words.is_empty()) {
            (true, true) => "no telling words; the desk's usual mix".to_owned(),
            _ => format!(
                "{category} from {}; {priority} from {}",
                quoted(&category_words),
                quoted(&priority_words)
            ),
        };
        LocalPrediction { category, priority, confidence, reason }
    }
}

fn quoted(words: &[String]) -> String {
    if words.is_empty() {
        return "the usual mix".into();
    }
    words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_assets_parse() {
        assert!(SAMPLES.len() >= 300, "samples: {}", SAMPLES.len());
        assert_eq!(SAMPLES.len(), SAMPLE_TICKETS.lines().filter(|l| !l.trim().is_empty()).count());
        let priors: Priors = toml::from_str(KEYWORD_PRIORS).unwrap();
        assert_eq!(priors.category.len(), 4);
        assert_eq!(priors.priority.len(), 4);
    }

    #[test]
    fn features_are_words_and_pairs() {
        let f = features("Charged TWICE for the order!");
        assert!(f.contains(&"charged".to_owned()) && f.contains(&"twice".to_owned()));
        assert!(f.contains(&"charged_twice".to_owned()));
        assert!(!f.contains(&"the".to_owned()));
        assert!(features("error 500").contains(&"500".to_owned()));
    }

    #[test]
    fn a_huge_text_counts_no_more_than_its_first_words() {
        let huge = "refund ".repeat(10) + &"lorem ipsum ".repeat(500_000);
        let words = features(&huge).iter().filter(|f| !f.contains('_')).count();
        assert!(words <= MAX_WORDS, "{words}");
        // One enormous ticket cannot drown what the model knows.
        let mut model = LocalModel::seeded(50_000);
        let before = model.predict("refund please").category;
        model.learn_team(("logs", &huge, Category::General, Priority::Low));
        assert_eq!(model.predict("refund please").category, before);
    }

    #[test]
    fn any_vocabulary_cap_is_safe() {
        for cap in [0, 1, 2, 10, usize::MAX] {
            let mut model = LocalModel::seeded(cap);
            model.learn_team(("Refund", "charged twice for the order", Category::Billing, Priority::High));
            let _ = model.predict("refund please");
        }
    }

    #[test]
    fn the_keyword_prior_alone_gets_the_obvious_cases() {
        let model = LocalModel::empty(1000);
        for (text, category) in [
            ("I want a refund", Category::Billing),
            ("you charged me twice, double charge on my card", Category::Billing),
            ("the app crashes on start", Category::Technical),
            ("getting a 500 error when saving", Category::Technical),
            ("my account is locked", Category::Account),
            ("password reset link never arrives", Category::Account),
        ] {
            assert_eq!(model.predict(text).category, category, "{text}");
        }
        assert_eq!(model.predict("total outage, everyone is down").priority, Priority::Critical);
    }

    #[test]
    fn the_seeded_model_gets_the_obvious_cases() {
        let model = LocalModel::seeded(30_000);
        for (text, category) in [
            ("Refund please: I was charged twice this month", Category::Billing),
            ("Double charge on my credit card", Category::Billing),
            ("The dashboard crashes every time I open reports", Category::Technical),
            ("Saving a project returns a 500 error", Category::Technical),
            ("My account is locked after too many attempts", Category::Account),
            ("I need a password reset, the link expired", Category::Account),
            ("Do you have a roadmap for dark mode? Just curious", Category::General),
        ] {
            let p = model.predict(text);
            assert_eq!(p.category, category, "{text}: {p:?}");
        }
        let outage = model.predict("Production is down for all our users, nobody can log in, urgent");
        assert_eq!(outage.priority, Priority::Critical, "{outage:?}");
    }

    #[test]
    fn it_learns_the_team_s_conventions() {
        // This team files anything about "widgets" as account / low.
        let mut model = LocalModel::seeded(30_000);
        let text = "widget colour picker question";
        let before = model.predict(text);
        for i in 0..15 {
            let title = format!("widget issue {i}");
            model.learn_team((&title, "the widget colour picker", Category::Account, Priority::Low));
        }
        let after = model.predict(text);
        assert_ne!(before.category, Category::Account, "precondition: {before:?}");
        assert_eq!(after.category, Category::Account, "{after:?}");
        assert_eq!(after.priority, Priority::Low);
        assert_eq!(model.team_examples(), 15);
    }

    #[test]
    fn vocabulary_stays_bounded() {
        let mut model = LocalModel::empty(500);
        for i in 0..2_000 {
            let text = format!("unique{i} word{i} token{i}");
            model.learn((&text, "x", Category::General, Priority::Low), 1.0);
        }
        assert!(model.vocabulary() <= 500, "vocabulary {}", model.vocabulary());
        assert!(model.category.words.contains_key("refund"), "heavier prior words survive pruning");
    }

    #[test]
    fn reasons_name_the_telling_words() {
        let model = LocalModel::seeded(30_000);
        let p = model.predict("refund for the double charge");
        assert!(p.reason.contains("refund") || p.reason.contains("charge"), "{}", p.reason);
    }
}
