//! Service-desk mail (RFC 5322, MIME), read with `mail-parser`: the sender,
//! the subject, the body as text (an HTML body rendered to text, never kept
//! as HTML) and the attachments listed, not stored.

use mail_parser::{MessageParser, MimeHeaders};

use super::IntakeError;

/// A mail, as intake uses it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    /// The sender's address, lower-cased.
    pub from: String,
    /// The subject, decoded (RFC 2047), on one line.
    pub subject: String,
    /// The text of the body parts, HTML rendered to text.
    pub body: String,
    pub attachments: Vec<Attachment>,
}

/// An attachment, by what it is; its content is not kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    /// Decoded size in bytes.
    pub size: usize,
}

/// Whether `bytes` start like an RFC 5322 message: a header field
/// (`Name: value`, the name letters, digits and `-`) on the first line.
pub(super) fn looks_like_mail(bytes: &[u8]) -> bool {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let Some(colon) = first.iter().position(|&b| b == b':') else {
        return false;
    };
    colon > 0
        && first[..colon]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Read a mail. A message without a sender, or whose subject or sender
/// decodes to more than one line (a header injection), is refused.
pub(super) fn parse(input: &str, bytes: &[u8]) -> Result<Mail, IntakeError> {
    let bad = |message: String| IntakeError::Malformed {
        message: format!("{input}: {message}"),
    };
    if !looks_like_mail(bytes) {
        return Err(bad(
            "not an RFC 5322 message: the first line is not a header field (`Name: value`)".into(),
        ));
    }
    let message = MessageParser::default()
        .parse(bytes)
        .ok_or_else(|| bad("not an RFC 5322 message".into()))?;
    let from = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| bad("the message has no `From:` address".into()))?;
    if from.chars().any(char::is_control) || from.contains(char::is_whitespace) {
        return Err(bad(format!(
            "the `From:` address {from:?} holds a line break or control character (header injection?)"
        )));
    }
    let subject = message.subject().unwrap_or_default();
    if subject.contains(['\r', '\n']) {
        return Err(bad(format!(
            "the `Subject:` decodes to more than one line ({:?}): a header injection? Nothing was written",
            subject
        )));
    }
    let body = (0..message.text_body_count())
        .filter_map(|i| {
            let part = message.text_part(u32::try_from(i).ok()?)?;
            if part.is_text_html() {
                part.text_contents().map(html_to_text)
            } else {
                message.body_text(i).map(|t| t.into_owned())
            }
        })
        .map(|t| plain(&t))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    let attachments = message
        .attachments()
        .map(|part| Attachment {
            name: part
                .attachment_name()
                .unwrap_or("(unnamed)")
                .chars()
                .filter(|c| !c.is_control())
                .collect(),
            content_type: part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{sub}", ct.ctype()),
                    None => ct.ctype().to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".into())
                .to_ascii_lowercase(),
            size: part.len(),
        })
        .collect();
    Ok(Mail {
        from: from.to_ascii_lowercase(),
        subject: subject.trim().to_owned(),
        body,
        attachments,
    })
}

/// HTML as text (mail-parser's rendering: tags and scripts dropped,
/// entities decoded), with a line break after block elements, which it
/// would otherwise run together.
fn html_to_text(html: &str) -> String {
    static BLOCK_END: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)</(h[1-6]|div|li|tr|table|ul|ol|blockquote|pre)\s*>")
            .unwrap_or_else(|_| unreachable!("a fixed pattern compiles"))
    });
    mail_parser::decoders::html::html_to_text(&BLOCK_END.replace_all(html, "$0<br>"))
}

/// Text with `\n` line ends, no control characters but line breaks and
/// tabs, no trailing spaces, trimmed.
fn plain(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect::<String>()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// The id a reply's subject names in brackets (`Re: [REQ-0007] VPN`), if
/// one looks like a ticket id (`PREFIX-…`, upper-case letters and digits).
pub(super) fn named_id(subject: &str) -> Option<&str> {
    let mut rest = subject;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let close = after.find(']')?;
        let inner = after[..close].trim();
        let (prefix, tail) = inner.split_once('-').unwrap_or(("", ""));
        let ok = !prefix.is_empty()
            && prefix.chars().all(|c| c.is_ascii_uppercase())
            && !tail.is_empty()
            && tail
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if ok {
            return Some(inner);
        }
        rest = &after[close + 1..];
    }
    None
}

/// A reply's new text: the lines before the quoted message (`> ...`, and
/// the `On ... wrote:` line that introduces it).
pub(super) fn reply_text(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let cut = lines
        .iter()
        .position(|l| l.trim_start().starts_with('>'))
        .unwrap_or(lines.len());
    let mut kept = &lines[..cut];
    while let Some((last, before)) = kept.split_last() {
        let t = last.trim();
        if t.is_empty() || (t.ends_with("wrote:") && t.starts_with("On ")) {
            kept = before;
        } else {
            break;
        }
    }
    kept.join("\n").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_names_the_id_in_brackets() {
        assert_eq!(named_id("Re: [REQ-0007] VPN"), Some("REQ-0007"));
        assert_eq!(
            named_id("[urgent] Re: [INC-2026-0042] x"),
            Some("INC-2026-0042")
        );
        assert_eq!(named_id("[urgent] printer"), None);
        assert_eq!(named_id("no id"), None);
    }

    #[test]
    fn quoted_text_is_left_out_of_a_reply() {
        let body = "Thanks, works now.\n\nOn Mon, Nov 23, Desk wrote:\n> old text\n> more";
        assert_eq!(reply_text(body), "Thanks, works now.");
    }

    #[test]
    fn headers_make_a_mail() {
        assert!(looks_like_mail(b"From: a@b\r\nSubject: x\r\n\r\nbody"));
        assert!(!looks_like_mail(b"{\"key\": 1}"));
        assert!(!looks_like_mail(b"hello world: no"));
    }
}
