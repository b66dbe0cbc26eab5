//! "Did you mean" suggestions for near misses.

/// The closest candidate to `word`, if it is close enough to be a typo;
/// of equally close ones the first in byte order, whatever order they
/// come in (the local index lists ids otherwise than a full read).
pub fn closest<'a, I, S>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a S>,
    S: AsRef<str> + 'a + ?Sized,
{
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let c = c.as_ref();
        let score = strsim::jaro_winkler(&word.to_ascii_lowercase(), &c.to_ascii_lowercase());
        let better = |&(b, s): &(&str, f64)| score > s || (score == s && c < b);
        if score >= 0.8 && best.as_ref().is_none_or(better) {
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
        // Equally close: the same one, whatever the order.
        let ids = ["PRB-0001", "PRB-0000"];
        let reversed = ["PRB-0000", "PRB-0001"];
        assert_eq!(closest("PRB-0004", &ids), Some("PRB-0000"));
        assert_eq!(closest("PRB-0004", &reversed), Some("PRB-0000"));
    }
}
