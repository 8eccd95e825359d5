//! SOQL's tokens. Lexing is lazy in effect: a character the lexer cannot read becomes a
//! [`Tok::Bad`] token, reported only when the parser reaches it, so an earlier syntax error wins
//! as it does in Salesforce's parser.

use super::SoqlError;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Ident,
    /// A quoted string; the value is decoded when the parser takes it (escape errors then).
    Str,
    Num,
    Date,
    DateTime,
    LParen,
    RParen,
    Comma,
    Dot,
    Colon,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Eof,
    /// What the lexer could not read, with Salesforce's complaint.
    Bad(SoqlError),
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    /// Byte offsets into the query.
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }

    pub fn is_keyword(&self, src: &str, kw: &str) -> bool {
        self.tok == Tok::Ident && self.text(src).eq_ignore_ascii_case(kw)
    }
}

pub(crate) fn lex(src: &str) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let push = |out: &mut Vec<Token>, tok, start, end| out.push(Token { tok, start, end });
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let simple = match c {
            b'(' => Some((Tok::LParen, 1)),
            b')' => Some((Tok::RParen, 1)),
            b',' => Some((Tok::Comma, 1)),
            b'.' if !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => Some((Tok::Dot, 1)),
            b':' => Some((Tok::Colon, 1)),
            b'=' => Some((Tok::Eq, 1)),
            b'!' if bytes.get(i + 1) == Some(&b'=') => Some((Tok::Ne, 2)),
            b'<' if bytes.get(i + 1) == Some(&b'>') => Some((Tok::Ne, 2)),
            b'<' if bytes.get(i + 1) == Some(&b'=') => Some((Tok::Le, 2)),
            b'<' => Some((Tok::Lt, 1)),
            b'>' if bytes.get(i + 1) == Some(&b'=') => Some((Tok::Ge, 2)),
            b'>' => Some((Tok::Gt, 1)),
            _ => None,
        };
        if let Some((tok, len)) = simple {
            push(&mut out, tok, start, start + len);
            i += len;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            push(&mut out, Tok::Ident, start, i);
            continue;
        }
        if c == b'\'' {
            match string_end(bytes, i) {
                Some(end) => {
                    push(&mut out, Tok::Str, start, end);
                    i = end;
                    continue;
                }
                None => {
                    push(
                        &mut out,
                        Tok::Bad(no_viable(src, src.len(), "<EOF>")),
                        start,
                        src.len(),
                    );
                    return finish(out, src);
                }
            }
        }
        if c.is_ascii_digit()
            || c == b'.'
            || ((c == b'-' || c == b'+') && next_is_number(bytes, i + 1))
        {
            match number_or_date(src, i) {
                Ok((tok, end)) => {
                    push(&mut out, tok, start, end);
                    i = end;
                    continue;
                }
                Err(bad) => {
                    push(&mut out, Tok::Bad(bad), start, src.len());
                    return finish(out, src);
                }
            }
        }
        let ch = src[i..].chars().next().unwrap_or('?');
        push(
            &mut out,
            Tok::Bad(no_viable(src, i, &ch.to_string())),
            start,
            src.len(),
        );
        return finish(out, src);
    }
    finish(out, src)
}

fn finish(mut out: Vec<Token>, src: &str) -> Vec<Token> {
    out.push(Token {
        tok: Tok::Eof,
        start: src.len(),
        end: src.len(),
    });
    out
}

/// The lexer's complaint, in the words of Salesforce's generated lexer.
fn no_viable(src: &str, offset: usize, what: &str) -> SoqlError {
    let line = src[..offset].matches('\n').count() + 1;
    let line_start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    let col = src[line_start..offset].chars().count() + 1;
    SoqlError::malformed(
        src,
        offset,
        format!("line {line}:{col} no viable alternative at character '{what}'"),
    )
}

fn next_is_number(bytes: &[u8], i: usize) -> bool {
    bytes
        .get(i)
        .is_some_and(|b| b.is_ascii_digit() || *b == b'.')
}

/// The end (exclusive) of a quoted string starting at `i`, skipping backslash escapes.
fn string_end(bytes: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'\'' => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

fn digits(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// A number (`42`, `-1.5`), a date (`2025-06-06`) or a datetime (`2025-06-06T08:00:00Z`,
/// `…+09:00`, `…-05:00`, optional fraction of a second).
fn number_or_date(src: &str, start: usize) -> Result<(Tok, usize), SoqlError> {
    let b = src.as_bytes();
    let is_digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let at = |i: usize| b.get(i).copied();
    let bad = |i: usize| {
        let what = src
            .get(i..)
            .and_then(|s| s.chars().next())
            .map_or("<EOF>".to_string(), String::from);
        no_viable(src, i.min(src.len()), &what)
    };
    // `count` two-digit groups joined by `sep` (MM-DD, hh:mm:ss, an offset's hh:mm) from `i`: the
    // end of the last group, or the error at the first byte that does not fit.
    let pairs = |mut i: usize, count: usize, sep: u8| {
        for k in 0..count {
            if k > 0 {
                if at(i) != Some(sep) {
                    return Err(bad(i));
                }
                i += 1;
            }
            if !is_digit(i) {
                return Err(bad(i));
            }
            if !is_digit(i + 1) {
                return Err(bad(i + 1));
            }
            i += 2;
        }
        Ok(i)
    };
    let first_end = digits(b, start);
    if first_end - start == 4 && at(first_end) == Some(b'-') && is_digit(first_end + 1) {
        // A date: YYYY-MM-DD, then maybe Thh:mm:ss[.fff](Z|±hh:mm).
        let mut i = pairs(first_end + 1, 2, b'-')?;
        if at(i) != Some(b'T') && at(i) != Some(b't') {
            return Ok((Tok::Date, i));
        }
        i = pairs(i + 1, 3, b':')?;
        if at(i) == Some(b'.') {
            i += 1;
            let end = digits(b, i);
            if end == i {
                return Err(bad(i));
            }
            i = end;
        }
        match at(i) {
            Some(b'Z') | Some(b'z') => Ok((Tok::DateTime, i + 1)),
            Some(b'+') | Some(b'-') => Ok((Tok::DateTime, pairs(i + 1, 2, b':')?)),
            _ => Err(bad(i)),
        }
    } else {
        let mut i = start;
        if matches!(at(i), Some(b'-') | Some(b'+')) {
            i += 1;
        }
        i = digits(b, i);
        if at(i) == Some(b'.') {
            let end = digits(b, i + 1);
            if end == i + 1 {
                return Err(bad(end));
            }
            i = end;
        }
        Ok((Tok::Num, i))
    }
}

/// A piece of a decoded string literal: LIKE tells escaped wildcards from live ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    Char(char),
    /// `\%` or `\_`: the character itself, never a wildcard.
    Literal(char),
}

/// Decodes a quoted string token (quotes included) with SOQL's escapes: `\n \r \t \b \f \" \'
/// \\` (letters in either case), `\uXXXX`, and in LIKE patterns `\%` `\_`. Anything else is the
/// error Salesforce gives.
pub(crate) fn decode_string(src: &str, tok: &Token) -> Result<Vec<Piece>, SoqlError> {
    let raw = &src[tok.start + 1..tok.end - 1];
    let mut out = Vec::with_capacity(raw.len());
    let mut chars = raw.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '\\' {
            out.push(Piece::Char(c));
            continue;
        }
        let Some((_, e)) = chars.next() else {
            break;
        };
        let piece = match e {
            'n' | 'N' => Piece::Char('\n'),
            'r' | 'R' => Piece::Char('\r'),
            't' | 'T' => Piece::Char('\t'),
            'b' | 'B' => Piece::Char('\u{8}'),
            'f' | 'F' => Piece::Char('\u{c}'),
            '"' => Piece::Char('"'),
            '\'' => Piece::Char('\''),
            '\\' => Piece::Char('\\'),
            '%' | '_' => Piece::Literal(e),
            'u' | 'U' => {
                let hex: String = chars.clone().take(4).map(|(_, c)| c).collect();
                let decoded = (hex.len() == 4)
                    .then(|| u32::from_str_radix(&hex, 16).ok())
                    .flatten()
                    .and_then(char::from_u32);
                match decoded {
                    Some(ch) => {
                        for _ in 0..4 {
                            chars.next();
                        }
                        Piece::Char(ch)
                    }
                    None => {
                        return Err(SoqlError::malformed(
                            src,
                            tok.start,
                            format!(
                                "Invalid string literal '{raw}'. Illegal unicode sequence. '\\u{}' in string literal.",
                                hex.to_lowercase()
                            ),
                        ));
                    }
                }
            }
            other => {
                return Err(SoqlError::malformed(
                    src,
                    tok.start,
                    format!(
                        "Invalid string literal '{raw}'. Illegal character sequence '\\{other}' in string literal."
                    ),
                ));
            }
        };
        out.push(piece);
    }
    Ok(out)
}

/// The plain text of decoded pieces.
pub(crate) fn plain(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Char(c) | Piece::Literal(c) => *c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        lex(src).into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn tokens_of_a_typical_query() {
        use Tok::*;
        assert_eq!(
            kinds("SELECT Id FROM Lead WHERE A != 'x' AND B<>1 AND C<=-2.5 AND D >= 2025-06-06"),
            vec![
                Ident, Ident, Ident, Ident, Ident, Ident, Ne, Str, Ident, Ident, Ne, Num, Ident,
                Ident, Le, Num, Ident, Ident, Ge, Date, Eof
            ]
        );
    }

    #[test]
    fn datetimes_in_every_zone_form() {
        for dt in [
            "2025-06-06T08:00:00Z",
            "2025-06-06T08:00:00+09:00",
            "2025-06-06T08:00:00-05:00",
            "2025-06-06T08:00:00.123Z",
        ] {
            let toks = lex(dt);
            assert_eq!(toks[0].tok, Tok::DateTime, "{dt}");
            assert_eq!(toks[0].end, dt.len(), "{dt}");
        }
    }

    #[test]
    fn unreadable_input_is_reported_where_salesforce_reports_it() {
        let cases = [
            (
                "SELECT Id FROM Opportunity WHERE CloseDate < 2016-07-31T04:17:54",
                "line 1:65 no viable alternative at character '<EOF>'",
            ),
            (
                "SELECT Id FROM Lead WHERE Name = \"x\"",
                "line 1:34 no viable alternative at character '\"'",
            ),
            (
                "SELECT Id FROM Lead WHERE Name = 'x",
                "line 1:36 no viable alternative at character '<EOF>'",
            ),
            (
                "SELECT Id FROM Lead WHERE A = 2025-6-06",
                "line 1:37 no viable alternative at character '-'",
            ),
        ];
        for (q, want) in cases {
            let bad = lex(q).into_iter().find_map(|t| match t.tok {
                Tok::Bad(e) => Some(e),
                _ => None,
            });
            let e = bad.unwrap_or_else(|| panic!("{q} lexed"));
            assert!(e.message.ends_with(want), "{q}: {}", e.message);
            assert_eq!(e.code, "MALFORMED_QUERY");
        }
    }

    #[test]
    fn string_escapes_decode_as_soql_defines() {
        let cases = [
            (r"'O\'Brien'", "O'Brien"),
            (r"'back\\slash'", "back\\slash"),
            (r"'a\nb\Tc\rd'", "a\nb\tc\rd"),
            (r#"'say \"hi\"'"#, "say \"hi\""),
            (r"'\b\f'", "\u{8}\u{c}"),
            (r"'caf\u00e9'", "café"),
            (r"'100\%'", "100%"),
            (r"'a\_b'", "a_b"),
            ("'日本'", "日本"),
        ];
        for (lit, want) in cases {
            let toks = lex(lit);
            assert_eq!(toks[0].tok, Tok::Str, "{lit}");
            let pieces = decode_string(lit, &toks[0]).unwrap();
            assert_eq!(plain(&pieces), want, "{lit}");
        }
        let toks = lex(r"'100\%'");
        assert_eq!(
            decode_string(r"'100\%'", &toks[0]).unwrap().last(),
            Some(&Piece::Literal('%'))
        );
    }

    #[test]
    fn illegal_escapes_are_named() {
        let q = r"SELECT Id FROM Lead WHERE Name = 'a\qb'";
        let toks = lex(q);
        let lit = toks.iter().find(|t| t.tok == Tok::Str).unwrap();
        let e = decode_string(q, lit).unwrap_err();
        assert!(
            e.message.ends_with(
                r"Invalid string literal 'a\qb'. Illegal character sequence '\q' in string literal."
            ),
            "{}",
            e.message
        );
        assert!(e.message.contains("Column:34"), "{}", e.message);
        let q = r"'C:\Users'";
        let toks = lex(q);
        let e = decode_string(q, &toks[0]).unwrap_err();
        assert!(
            e.message
                .contains(r"Illegal unicode sequence. '\users' in string literal."),
            "{}",
            e.message
        );
    }
}
