//! "Did you mean" suggestions for near misses.

/// The closest candidate to `word`, if it is close enough to be a typo.
pub fn closest<'a, I, S>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a S>,
    S: AsRef<str> + 'a + ?Sized,
{
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let c = c.as_ref();
        let score = strsim::jaro_winkler(&word.to_ascii_lowercase(), &c.to_ascii_lowercase());
        if score >= 0.8 && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// `"; did you mean `x`?"` or the empty string.
pub fn did_you_mean<'a, I, S>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a S>,
    S: AsRef<str> + 'a + ?Sized,
{
    closest(word, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_typos_only() {
        let keys = ["assignee", "affected_cis", "acknowledged_at"];
        assert_eq!(closest("asignee", &keys), Some("assignee"));
        assert_eq!(closest("zzz", &keys), None);
    }
}
