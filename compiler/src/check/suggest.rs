//! "Did you mean": the closest known name to a misspelled one.

/// The candidate closest to `name` by edit distance, if it is close enough
/// to be a likely typo (case and Danish letters compared as written).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = match name.chars().count() {
        0..=3 => 1,
        4..=7 => 2,
        _ => 3,
    };
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            let d = strsim::levenshtein(&name.to_lowercase(), &c.to_lowercase());
            (d, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// A help line: "did you mean `x`?" or a list of what is available.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> String {
    if let Some(c) = closest(name, candidates.clone()) {
        return format!("did you mean `{c}`?");
    }
    let mut all: Vec<&str> = candidates.into_iter().collect();
    all.sort_unstable();
    all.dedup();
    if all.is_empty() {
        return format!("no {what} is declared; declare it first");
    }
    if let [only] = all.as_slice() {
        return format!("the only {what} is `{only}`");
    }
    let shown: Vec<String> = all.iter().take(8).map(|c| format!("`{c}`")).collect();
    let more = if all.len() > 8 { ", …" } else { "" };
    format!("the {what}s are {}{more}", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_close_names_only() {
        let names = ["sygemeldte", "ledige", "aktivitetsparate"];
        assert_eq!(closest("sygemelte", names), Some("sygemeldte"));
        assert_eq!(closest("ledig", names), Some("ledige"));
        assert_eq!(closest("unge", names), None);
    }
}
