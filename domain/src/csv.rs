//! CSV as spreadsheet programs read it: UTF-8 with a byte-order mark (so the Chinese is
//! not taken for the local code page), RFC 4180 quoting, CRLF line ends.

/// The byte-order mark every CSV answer begins with.
pub const BOM: char = '\u{feff}';

/// The rows as CSV, the first row being the header.
pub fn write<R, F>(rows: R) -> String
where
    R: IntoIterator<Item = F>,
    F: IntoIterator<Item = String>,
{
    let mut out = String::from(BOM);
    for row in rows {
        let fields: Vec<String> = row.into_iter().map(|f| quote(&f)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// Reads CSV as [`write`] writes it (a leading byte-order mark is skipped), for checking an
/// answer against its JSON.
pub fn parse(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|f| (*f).to_owned()).collect()
    }

    #[test]
    fn fields_with_commas_quotes_and_line_breaks_are_quoted_and_read_back() {
        let rows = vec![
            row(&["key", "label", "received"]),
            row(&["a", "3号窗口 民政, 计生", "12"]),
            row(&["b", "say \"hi\"\nagain", ""]),
        ];
        let text = write(rows.clone());
        assert!(text.starts_with('\u{feff}'), "a byte-order mark first");
        assert_eq!(
            text,
            "\u{feff}key,label,received\r\na,\"3号窗口 民政, 计生\",12\r\nb,\"say \"\"hi\"\"\nagain\",\r\n"
        );
        assert_eq!(parse(&text), rows);
    }

    #[test]
    fn nothing_but_the_mark_is_an_empty_table() {
        let empty: Vec<Vec<String>> = Vec::new();
        assert_eq!(write(empty.clone()), "\u{feff}");
        assert_eq!(parse("\u{feff}"), empty);
    }
}
