//! Validation errors: what is wrong with which field, so a client can point at it; and the
//! rules every text and date from outside obeys.

use std::ops::RangeInclusive;

use chrono::Datelike;
use serde::Serialize;

/// The years a date sent from outside (a filter, a period) may name: four-digit years, which
/// both databases store and SQLite's text dates sort correctly, and which cover every case
/// the hall can hold. Outside them a request is refused rather than handed to the database.
pub const DATE_YEARS: RangeInclusive<i32> = 1900..=9999;

/// One invalid field and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's name as the client sent it, e.g. `promised_days` or `applicant.phone`.
    pub field: String,
    /// What is wrong, in plain words.
    pub message: String,
}

/// Every invalid field of one input, collected rather than stopping at the first.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
#[error("invalid input: {}", .errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
pub struct ValidationErrors {
    /// The field errors, in the order they were found.
    pub errors: Vec<FieldError>,
}

impl ValidationErrors {
    /// An error for a single field.
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::default();
        errors.add(field, message);
        errors
    }

    /// Records that `field` is invalid.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// `Ok` when nothing was recorded, the collected errors otherwise.
    pub fn into_result(self) -> Result<(), Self> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// Checks a required text that may run over several lines (a reason, a note): trimmed,
    /// not empty, at most `max` characters, nothing invisible.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        self.required(field, value, max, Lines::Many);
    }

    /// Checks a required one-line text (a name): as [`Self::text`], and no line break or tab.
    pub fn name(&mut self, field: &str, value: &str, max: usize) {
        self.required(field, value, max, Lines::One);
    }

    /// Checks an optional text: when present, at most `max` characters, nothing invisible.
    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) {
        self.optional(field, value, max, Lines::Many);
    }

    /// Checks an optional one-line text: as [`Self::optional_text`], and no line break or tab.
    pub fn optional_name(&mut self, field: &str, value: &str, max: usize) {
        self.optional(field, value, max, Lines::One);
    }

    /// Checks that a date (or a moment) sent from outside lies in [`DATE_YEARS`].
    pub fn date(&mut self, field: &str, value: Option<impl Datelike>) {
        if value.is_some_and(|value| !DATE_YEARS.contains(&value.year())) {
            self.add(
                field,
                format!(
                    "must lie in the years {} to {}",
                    DATE_YEARS.start(),
                    DATE_YEARS.end()
                ),
            );
        }
    }

    fn required(&mut self, field: &str, value: &str, max: usize, lines: Lines) {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.add(field, "must not be empty");
        } else if trimmed.len() != value.len() {
            self.add(field, "must not start or end with spaces");
        } else {
            self.optional(field, value, max, lines);
        }
    }

    fn optional(&mut self, field: &str, value: &str, max: usize, lines: Lines) {
        if value.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        } else if let Some(why) = unfit(value, lines) {
            self.add(field, why);
        }
    }

    /// Checks a code: 1 to `max` ASCII letters, digits, `-` or `_`.
    pub fn code(&mut self, field: &str, value: &str, max: usize) {
        if value.is_empty() || value.len() > max {
            self.add(field, format!("must be 1 to {max} characters"));
        } else if !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.add(field, "may hold only ASCII letters, digits, '-' and '_'");
        }
    }
}

/// Whether a text may run over several lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lines {
    One,
    Many,
}

/// Why `value` cannot be stored as a text of the hall, if it cannot.
fn unfit(value: &str, lines: Lines) -> Option<&'static str> {
    let breaks = |c: char| matches!(c, '\n' | '\r' | '\t');
    if value.chars().any(|c| c.is_control() && !breaks(c)) {
        Some("must not hold control characters other than line breaks and tabs")
    } else if lines == Lines::One && value.chars().any(breaks) {
        Some("must be one line, without line breaks or tabs")
    } else if value.chars().any(is_invisible) {
        Some(
            "must not hold invisible formatting characters (bidirectional controls, zero-width characters)",
        )
    } else {
        None
    }
}

/// Whether a character changes how the text around it is shown without being seen itself:
/// Unicode's format characters (category Cf) — bidirectional overrides and isolates, which
/// make a name read otherwise than it is stored, zero-width spaces and joiners, which
/// make two equal-looking names differ, the soft hyphen and the byte-order mark — and the
/// line and paragraph separators. NUL and the other control characters are refused apart:
/// they are `char::is_control`, and PostgreSQL cannot store NUL at all.
pub fn is_invisible(c: char) -> bool {
    INVISIBLE
        .iter()
        .any(|&(first, last)| (first..=last).contains(&c))
}

/// The characters [`is_invisible`] refuses, as inclusive ranges.
const INVISIBLE: &[(char, char)] = &[
    ('\u{00AD}', '\u{00AD}'),
    ('\u{0600}', '\u{0605}'),
    ('\u{061C}', '\u{061C}'),
    ('\u{06DD}', '\u{06DD}'),
    ('\u{070F}', '\u{070F}'),
    ('\u{0890}', '\u{0891}'),
    ('\u{08E2}', '\u{08E2}'),
    ('\u{180E}', '\u{180E}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{2028}', '\u{202E}'),
    ('\u{2060}', '\u{206F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFF9}', '\u{FFFB}'),
    ('\u{110BD}', '\u{110BD}'),
    ('\u{110CD}', '\u{110CD}'),
    ('\u{13430}', '\u{1343F}'),
    ('\u{1BCA0}', '\u{1BCA3}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0001}', '\u{E0001}'),
    ('\u{E0020}', '\u{E007F}'),
];

/// The kinds of text the hall keeps, as the checks above apply them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRule {
    /// [`ValidationErrors::text`]: required, may run over several lines.
    Text,
    /// [`ValidationErrors::name`]: required, one line.
    Name,
    /// [`ValidationErrors::optional_text`]: may be empty, may run over several lines.
    OptionalText,
    /// [`ValidationErrors::optional_name`]: may be empty, one line.
    OptionalName,
}

impl TextRule {
    /// The rule as a JSON Schema `pattern` (ECMA-262, which Python's `re` reads alike): no
    /// control character (but line breaks and tabs where lines may be several), no invisible
    /// character, and for a required text a first and last character that are not white
    /// space. A pattern names characters of the Basic Multilingual Plane only, so the few
    /// invisible characters above it (tags, format controls of historic scripts) are refused
    /// by the server without the pattern saying so.
    pub fn pattern(self) -> String {
        let one_line = matches!(self, Self::Name | Self::OptionalName);
        let mut refused = String::new();
        for (first, last) in refused_ranges(one_line) {
            let escape = |c: char| format!("\\u{:04X}", u32::from(c));
            refused.push_str(&escape(first));
            if last != first {
                refused.push('-');
                refused.push_str(&escape(last));
            }
        }
        match self {
            Self::OptionalText | Self::OptionalName => format!("^[^{refused}]*$"),
            Self::Text | Self::Name => {
                format!("^[^{refused}\\s](?:[^{refused}]*[^{refused}\\s])?$")
            }
        }
    }
}

/// The characters of the Basic Multilingual Plane a text refuses, as inclusive ranges:
/// the control characters (but line breaks and tabs unless `one_line`) and the invisible.
fn refused_ranges(one_line: bool) -> Vec<(char, char)> {
    let controls: &[(char, char)] = if one_line {
        &[('\u{0000}', '\u{001F}'), ('\u{007F}', '\u{009F}')]
    } else {
        &[
            ('\u{0000}', '\u{0008}'),
            ('\u{000B}', '\u{000C}'),
            ('\u{000E}', '\u{001F}'),
            ('\u{007F}', '\u{009F}'),
        ]
    };
    controls
        .iter()
        .chain(INVISIBLE)
        .copied()
        .filter(|&(first, _)| u32::from(first) <= 0xFFFF)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_or_an_escape_is_refused_and_a_line_break_in_a_note_is_kept() {
        let mut errors = ValidationErrors::default();
        errors.text("name", "民政\u{0}局", 50);
        errors.optional_text("note", "\u{1b}[31mred", 50);
        errors.optional_text("remark", "第一行\n第二行\t", 50);
        let fields: Vec<_> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "note"]);
    }

    #[test]
    fn a_bidirectional_override_or_a_zero_width_character_is_refused_everywhere() {
        let mut errors = ValidationErrors::default();
        errors.name("a", "张\u{202E}三", 50);
        errors.name("b", "张\u{200B}三", 50);
        errors.text("c", "理由\u{2066}", 50);
        errors.optional_text("d", "\u{FEFF}备注", 50);
        errors.optional_name("e", "王\u{00AD}五", 50);
        errors.name("kept", "欧阳娜娜 Anna-Maria", 50);
        errors.optional_text("kept too", "", 50);
        let fields: Vec<_> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn a_name_is_one_line_and_a_note_may_be_several() {
        let mut errors = ValidationErrors::default();
        errors.name("name", "民政\n局", 50);
        errors.optional_name("display_name", "李\t娜", 50);
        errors.text("reason", "第一行\r\n第二行", 50);
        let fields: Vec<_> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "display_name"]);
    }

    #[test]
    fn the_patterns_refuse_what_the_checks_refuse_in_the_basic_multilingual_plane() {
        for one_line in [false, true] {
            let lines = if one_line { Lines::One } else { Lines::Many };
            let ranges = refused_ranges(one_line);
            for c in (0..=0xFFFF).filter_map(char::from_u32) {
                let by_pattern = ranges
                    .iter()
                    .any(|&(first, last)| (first..=last).contains(&c));
                let text = format!("a{c}b");
                assert_eq!(
                    by_pattern,
                    unfit(&text, lines).is_some(),
                    "{:04X}",
                    u32::from(c)
                );
            }
        }
        assert_eq!(
            TextRule::OptionalName.pattern().matches("\\u").count(),
            refused_ranges(true)
                .iter()
                .map(|(a, b)| if a == b { 1 } else { 2 })
                .sum::<usize>()
        );
        assert!(
            TextRule::Text
                .pattern()
                .starts_with("^[^\\u0000-\\u0008\\u000B")
        );
    }

    #[test]
    fn dates_from_outside_keep_to_four_digit_years() {
        let day = |s: &str| s.parse::<chrono::NaiveDate>().expect("date");
        let mut errors = ValidationErrors::default();
        errors.date("from", Some(day("-4714-01-01")));
        errors.date("to", Some(day("+10000-01-01")));
        errors.date("kept", Some(day("1900-01-01")));
        errors.date("kept too", Some(day("9999-12-31")));
        errors.date("absent", None::<chrono::NaiveDate>);
        let fields: Vec<_> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["from", "to"]);
    }
}
