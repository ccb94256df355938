//! The words a person's name can be found by in the Users search besides its start: every
//! later word of the display name and the given and family names, folded like usernames.
//!
//! The store keeps them in `account_word` (one row per word, an index range per search), so
//! "vance" finds "Adele Vance" and "jones" finds "Sam Smith-Jones" without scanning. A word the
//! folded display name already starts with is left out: the display-name range finds it.

use super::account::fold_username;
use super::provisioned::Document;

/// At most this many words per person: a name is a few words, and a SCIM body cannot make
/// one write store an unbounded number of rows.
pub const MAX_WORDS: usize = 16;
/// Longer words are cut (on a character boundary) to this many bytes.
pub const MAX_WORD_BYTES: usize = 64;

/// The folded search words of a display name and the other names given with it (SCIM
/// `name.givenName` and `name.familyName`), sorted and without repeats.
pub fn name_words(display_name: &str, other_names: &[&str]) -> Vec<String> {
    let display = fold_username(display_name.trim());
    let mut words: Vec<String> = Vec::new();
    for name in
        std::iter::once(display.clone()).chain(other_names.iter().map(|n| fold_username(n.trim())))
    {
        for token in name.split(char::is_whitespace) {
            // "smith-jones" is found by "smith-jones" and by "jones"; "(contractor)" by
            // "contractor". Other marks stay inside a word: an e-mail address used as a name
            // is not found by its domain.
            let whole = token.trim_matches(|c: char| !c.is_alphanumeric());
            let parts = whole.split(is_dash);
            for word in std::iter::once(whole).chain(parts) {
                if word.is_empty() || display.starts_with(word) {
                    continue;
                }
                let word = cut(word);
                if !words.iter().any(|w| w == word) {
                    words.push(word.to_owned());
                    // The first words in name order; bounded work however long the name.
                    if words.len() == MAX_WORDS {
                        words.sort();
                        return words;
                    }
                }
            }
        }
    }
    words.sort();
    words
}

/// The search words of a SCIM user: its display name with `name.givenName` and
/// `name.familyName` from the document.
pub fn of_document(display_name: &str, doc: &Document) -> Vec<String> {
    let name = doc.get("name");
    let part = |key: &str| {
        name.and_then(|n| n.get(key))
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
    };
    name_words(display_name, &[part("givenName"), part("familyName")])
}

/// The column of an account that has only a display name (local and single sign-on accounts).
pub fn column_of_name(display_name: &str) -> String {
    to_column(&name_words(display_name, &[]))
}

/// The words as the `account.name_words` column stores them (a JSON array; the database copies
/// them into `account_word`).
pub fn to_column(words: &[String]) -> String {
    serde_json::to_string(words).unwrap_or_else(|_| "[]".into())
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}'
    )
}

fn cut(word: &str) -> &str {
    let end = word
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .take_while(|&end| end <= MAX_WORD_BYTES)
        .last()
        .unwrap_or(0);
    word.get(..end).unwrap_or(word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn later_words_and_surnames_are_kept_the_first_word_is_the_display_name_range() {
        assert_eq!(
            name_words("Adele Vance", &["Adele", "Vance"]),
            vec!["vance"]
        );
        assert_eq!(
            name_words("Sam Smith-Jones", &[]),
            vec!["jones", "smith", "smith-jones"]
        );
        assert_eq!(name_words("Ångström, Ÿves", &[]), vec!["ÿves"]);
        assert_eq!(
            name_words("(Contractor) Lee", &[]),
            vec!["contractor", "lee"]
        );
        assert_eq!(name_words("", &["", " "]), Vec::<String>::new());
        // A family name that is not in the display name is still found.
        assert_eq!(
            name_words("Adele", &["Adele", "Van Dyke"]),
            vec!["dyke", "van"]
        );
        assert_eq!(name_words("STRASSE Müller", &[]), vec!["müller"]);
        assert_eq!(
            name_words("Display zed@contoso.com", &[]),
            vec!["zed@contoso.com"],
            "not found by the domain of an address"
        );
        assert_eq!(name_words("Anne O'Brien", &[]), vec!["o'brien"]);
    }

    #[test]
    fn long_and_many_words_are_bounded() {
        let long = format!("A {}", "é".repeat(100));
        let words = name_words(&long, &[]);
        assert_eq!(words.len(), 1);
        assert!(words[0].len() <= MAX_WORD_BYTES);
        let many: String = (0..50).map(|i| format!("w{i} ")).collect();
        assert_eq!(name_words(&many, &[]).len(), MAX_WORDS);
        // A SCIM body's worth of distinct words costs one pass, not one comparison per pair.
        let huge: String = (0..150_000).map(|i| format!("w{i} ")).collect();
        assert_eq!(name_words(&huge, &[]).len(), MAX_WORDS);
    }

    proptest! {
        #[test]
        fn every_word_start_of_any_name_is_found(
            names in proptest::collection::vec("[a-zA-Zé\\- ]{0,12}", 1..4),
        ) {
            let display = &names[0];
            let others: Vec<&str> = names[1..].iter().map(String::as_str).collect();
            let words = name_words(display, &others);
            prop_assert!(words.len() <= MAX_WORDS);
            let folded_display = fold_username(display.trim());
            for name in &names {
                for token in fold_username(name).split(|c: char| !c.is_alphanumeric()) {
                    if token.is_empty() || words.len() == MAX_WORDS {
                        continue;
                    }
                    // Found either by the display-name range or by a stored word.
                    prop_assert!(
                        folded_display.starts_with(token) || words.iter().any(|w| w.starts_with(token)),
                        "{token:?} of {names:?} not found in {words:?}"
                    );
                }
            }
        }
    }
}
