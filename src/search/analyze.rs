//! Text analysis for the search index: how text becomes terms. `theme/assets/search.js`
//! repeats these rules for queries, so a change here must be made there too (the browser
//! tests type queries that only match when both agree).
//!
//! elasticlunr-rs supplies the pipeline (its English stop-word filter). Its Porter stemmer is
//! left out on purpose: queries are analysed by our own JavaScript, and a second Porter
//! implementation that disagrees on one suffix would silently lose results. Plural folding is
//! small enough to mirror exactly, and prefix matching in the reader covers the rest
//! (`deploy` finds `deployment`).

use elasticlunr::lang::English;
use elasticlunr::Language;
use std::borrow::Cow;
use std::sync::LazyLock;

/// The words elasticlunr's English pipeline drops (its stop-word filter), asked once. The
/// pipeline itself is not `Sync` and takes owned strings, so the index checks this set instead
/// of running it per word (with foldhash: every word of every document is looked up).
static STOP_WORDS: LazyLock<foldhash::HashSet<&'static str>> = LazyLock::new(|| {
    let mut pipeline = English::new().make_pipeline();
    pipeline
        .queue
        .retain(|step| step.name() == "stopWordFilter");
    STOP_WORD_CANDIDATES
        .iter()
        .copied()
        .filter(|word| pipeline.run(vec![word.to_string()]).is_empty())
        .collect()
});

/// The English stop words, shipped to the reader in the manifest so queries drop the same words.
pub fn stop_words() -> Vec<String> {
    let mut words: Vec<String> = STOP_WORDS.iter().map(|w| w.to_string()).collect();
    words.sort_unstable();
    words
}

/// Every word elasticlunr's English filter has dropped in any release; only those it still
/// drops are shipped.
const STOP_WORD_CANDIDATES: &[&str] = &[
    "a", "able", "about", "across", "after", "all", "almost", "also", "am", "among", "an", "and",
    "any", "are", "as", "at", "be", "because", "been", "but", "by", "can", "cannot", "could",
    "dear", "did", "do", "does", "either", "else", "ever", "every", "for", "from", "get", "got",
    "had", "has", "have", "he", "her", "hers", "him", "his", "how", "however", "i", "if", "in",
    "into", "is", "it", "its", "just", "least", "let", "like", "likely", "may", "me", "might",
    "most", "must", "my", "neither", "no", "nor", "not", "of", "off", "often", "on", "only", "or",
    "other", "our", "own", "rather", "said", "say", "says", "she", "should", "since", "so", "some",
    "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "tis", "to",
    "too", "twas", "us", "wants", "was", "we", "were", "what", "when", "where", "which", "while",
    "who", "whom", "why", "will", "with", "would", "yet", "you", "your",
];

/// Splits already-lowercased text into words: runs of letters, digits, `_` and inner `.`
/// (`v1.2`, `node.js`). Everything else separates words, so `payments-api`, `acme/checkout`
/// and `team:payments` give their parts.
fn split_words(lower: &str) -> impl Iterator<Item = &str> {
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map(|word| word.trim_matches('.'))
        .filter(|word| !word.is_empty())
}

/// The index terms of an already-lowercased text, in order: words without stop words, plurals
/// folded. Borrows from `lower` except for a folded `-ies` word.
pub fn lowercase_terms(lower: &str) -> impl Iterator<Item = Cow<'_, str>> {
    split_words(lower)
        .filter(|word| !STOP_WORDS.contains(word))
        .map(fold_plural)
}

/// The index terms of a text, in order.
pub fn terms(text: &str) -> Vec<String> {
    lowercase_terms(&text.to_lowercase())
        .map(Cow::into_owned)
        .collect()
}

/// Porter's step 1a, the only stemming both sides do: `policies` → `policy`, `classes` →
/// `class`, `services` → `service`; `status`, `analysis` and `access` are left alone.
pub fn fold_plural(term: &str) -> Cow<'_, str> {
    let chars = term.chars().count();
    if chars > 4 && term.ends_with("ies") {
        Cow::Owned(format!("{}y", &term[..term.len() - 3]))
    } else if term.ends_with("sses") {
        Cow::Borrowed(&term[..term.len() - 2])
    } else if chars > 3
        && term.ends_with('s')
        && !term.ends_with("ss")
        && !term.ends_with("us")
        && !term.ends_with("is")
    {
        Cow::Borrowed(&term[..term.len() - 1])
    } else {
        Cow::Borrowed(term)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_punctuation_but_keep_versions() {
        let lower = "Payments-API: acme/checkout v1.2 node.js. Café_x".to_lowercase();
        let got: Vec<&str> = split_words(&lower).collect();
        assert_eq!(
            got,
            ["payments", "api", "acme", "checkout", "v1.2", "node.js", "café_x"]
        );
    }

    #[test]
    fn terms_drop_stop_words_and_fold_plurals() {
        assert_eq!(
            terms("The policies of the classes and services, with status"),
            ["policy", "class", "service", "status"]
        );
        assert_eq!(
            terms("analysis access bus gas"),
            ["analysis", "access", "bus", "gas"]
        );
    }

    #[test]
    fn stop_words_come_from_elasticlunr() {
        let stop = stop_words();
        assert!(stop.contains(&"the".to_string()));
        assert!(stop.contains(&"with".to_string()));
        assert!(!stop.contains(&"payment".to_string()));
        assert!(stop.len() > 100, "{}", stop.len());
    }
}
