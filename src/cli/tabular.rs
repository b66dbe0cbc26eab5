//! Rows of text as aligned columns (for people) or CSV (RFC 4180, for
//! spreadsheets): `list`, `query` and `export` write their tables here.

/// Columns padded to their widest cell, two spaces apart (the last one
/// not padded), written to `out` a line at a time (each line in one write),
/// from rows made twice (`rows` is called once to measure the columns and
/// once to write them) rather than held: 100,000 rows are never one string
/// nor a table of cells.
pub(super) fn write_aligned<I, R, C>(
    headers: &[&str],
    rows: impl Fn() -> I,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()>
where
    I: Iterator<Item = R>,
    R: AsRef<[C]>,
    C: AsRef<str>,
{
    write_styled(headers, rows, |_, _| anstyle::Style::new(), out)
}

/// [`write_aligned`] with each cell in the style `style` gives it (its
/// row, its column); the padding is not styled. A line is one write, so
/// a colour sequence is never split.
pub(super) fn write_styled<I, R, C>(
    headers: &[&str],
    rows: impl Fn() -> I,
    style: impl Fn(&R, usize) -> anstyle::Style,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()>
where
    I: Iterator<Item = R>,
    R: AsRef<[C]>,
    C: AsRef<str>,
{
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows() {
        for (w, c) in widths.iter_mut().zip(row.as_ref()) {
            *w = (*w).max(c.as_ref().chars().count());
        }
    }
    let mut line = String::new();
    let mut write_line = |cells: &mut dyn Iterator<Item = (&str, anstyle::Style)>| {
        line.clear();
        let mut cells = cells.enumerate().peekable();
        while let Some((i, (c, style))) = cells.next() {
            // A line break in a cell (a title may hold one) is a space:
            // written as it is, it would end the row and begin what
            // looks like another.
            let c = super::ui::one_line(c);
            // Writing into a String cannot fail.
            let _ = std::fmt::Write::write_fmt(&mut line, format_args!("{style}{c}{style:#}"));
            if cells.peek().is_some() {
                let pad = widths[i] - c.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        line.push('\n');
        out.write_all(line.as_bytes())
    };
    write_line(&mut headers.iter().map(|h| (*h, anstyle::Style::new())))?;
    for row in rows() {
        let cells = row.as_ref();
        write_line(
            &mut cells
                .iter()
                .enumerate()
                .map(|(i, c)| (c.as_ref(), style(&row, i))),
        )?;
    }
    Ok(())
}

/// A CSV field, quoted when it holds a comma, a quote or a line break
/// (a quote in it doubled).
fn write_field(out: &mut dyn std::io::Write, s: &str) -> std::io::Result<()> {
    write_field_pieces(out, std::iter::once(s))
}

/// A CSV field given in pieces, as [`write_field`] writes their whole:
/// written in pieces of 64 KiB, a field of megabytes is never copied
/// whole.
pub(super) fn write_field_pieces<'p>(
    out: &mut dyn std::io::Write,
    pieces: impl Iterator<Item = &'p str> + Clone,
) -> std::io::Result<()> {
    if !pieces.clone().any(|p| p.contains([',', '"', '\n', '\r'])) {
        return pieces
            .into_iter()
            .try_for_each(|p| out.write_all(p.as_bytes()));
    }
    const PIECE: usize = 1 << 16;
    let mut piece = Vec::with_capacity(PIECE + 2);
    piece.push(b'"');
    for &b in pieces.flat_map(str::as_bytes) {
        piece.push(b);
        if b == b'"' {
            piece.push(b'"');
        }
        if piece.len() >= PIECE {
            out.write_all(&piece)?;
            piece.clear();
        }
    }
    piece.push(b'"');
    out.write_all(&piece)
}

/// One CSV line: the fields, quoted where needed, and a line break.
pub(super) fn csv_line<'c>(cells: impl Iterator<Item = &'c str>) -> String {
    let mut line = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write_csv_line(&mut line, cells);
    String::from_utf8(line).unwrap_or_default()
}

/// [`csv_line`] written a field at a time: a cell of megabytes is not
/// copied into a line.
pub(super) fn write_csv_line<'c>(
    out: &mut dyn std::io::Write,
    cells: impl Iterator<Item = &'c str>,
) -> std::io::Result<()> {
    write_csv_record(out, cells, write_field)
}

/// One CSV line of `cells`, each written by `field`: commas between them,
/// a line break after.
pub(super) fn write_csv_record<T>(
    out: &mut dyn std::io::Write,
    cells: impl Iterator<Item = T>,
    mut field: impl FnMut(&mut dyn std::io::Write, T) -> std::io::Result<()>,
) -> std::io::Result<()> {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        field(out, cell)?;
    }
    out.write_all(b"\n")
}

/// A header line, then a line per row, written a line at a time (a
/// listing of 100,000 rows is never held as text).
pub(super) fn write_csv(
    headers: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    out.write_all(csv_line(headers.iter().copied()).as_bytes())?;
    for row in rows {
        out.write_all(csv_line(row.iter().map(String::as_str)).as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attack_a_line_break_in_a_cell_forges_no_row() {
        let rows = [
            ["INC-0090", "A\nINC-0001  closed  FAKE ROW"],
            ["INC-0091", "tab\there"],
        ];
        let mut out = Vec::new();
        write_aligned(&["ID", "TITLE"], || rows.iter(), &mut out).expect("written");
        let text = String::from_utf8(out).expect("UTF-8");
        assert_eq!(
            text,
            "ID        TITLE\n\
             INC-0090  A INC-0001  closed  FAKE ROW\n\
             INC-0091  tab here\n"
        );
    }

    #[test]
    fn a_field_is_quoted_only_when_it_must_be() {
        let line = csv_line(["plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", ""].into_iter());
        assert_eq!(
            line,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",\n"
        );
    }

    #[test]
    fn a_long_field_of_quotes_doubles_each_across_pieces() {
        // More than one piece of 64 KiB, a quote at every other byte.
        let field = "x\"".repeat(50_000);
        let line = csv_line(std::iter::once(field.as_str()));
        let inner = "x\"\"".repeat(50_000);
        assert_eq!(line, format!("\"{inner}\"\n"));
    }
}
