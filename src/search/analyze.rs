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
use elasticlunr::{Language, Pipeline};

thread_local! {
    /// The elasticlunr English pipeline without its stemmer: only the stop-word filter remains.
    /// Per thread, because elasticlunr's pipeline steps are not `Sync`.
    static PIPELINE: Pipeline = {
        let mut pipeline = English::new().make_pipeline();
        pipeline
            .queue
            .retain(|step| step.name() == "stopWordFilter");
        pipeline
    };
}

fn run_pipeline(words: Vec<String>) -> Vec<String> {
    PIPELINE.with(|pipeline| pipeline.run(words))
}

/// The English stop words, shipped to the reader in the manifest so queries drop the same words.
pub fn stop_words() -> Vec<String> {
    // The filter keeps its list private: ship the candidates it drops.
    STOP_WORD_CANDIDATES
        .iter()
        .filter(|word| run_pipeline(vec![word.to_string()]).is_empty())
        .map(|word| word.to_string())
        .collect()
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

/// Splits text into raw words: runs of letters, digits, `_` and inner `.` (`v1.2`, `node.js`),
/// lowercased. Everything else separates words, so `payments-api`, `acme/checkout` and
/// `team:payments` give their parts.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map(|word| word.trim_matches('.'))
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
}

/// The index terms of a text, in order, with stop words removed and plurals folded.
pub fn terms(text: &str) -> Vec<String> {
    run_pipeline(words(text).collect())
        .into_iter()
        .map(fold_plural)
        .collect()
}

/// Porter's step 1a, the only stemming both sides do: `policies` → `policy`, `classes` →
/// `class`, `services` → `service`; `status`, `analysis` and `access` are left alone.
pub fn fold_plural(term: String) -> String {
    let chars = term.chars().count();
    if chars > 4 && term.ends_with("ies") {
        format!("{}y", &term[..term.len() - 3])
    } else if term.ends_with("sses") {
        term[..term.len() - 2].to_string()
    } else if chars > 3
        && term.ends_with('s')
        && !term.ends_with("ss")
        && !term.ends_with("us")
        && !term.ends_with("is")
    {
        term[..term.len() - 1].to_string()
    } else {
        term
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_punctuation_but_keep_versions() {
        let got: Vec<String> = words("Payments-API: acme/checkout v1.2 node.js. Café_x").collect();
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
