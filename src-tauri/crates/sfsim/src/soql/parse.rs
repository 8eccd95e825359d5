//! SOQL syntax: tokens to an unresolved tree, failing on the first token that does not fit with
//! `unexpected token: '…'` as Salesforce does. Names are not checked here; `resolve` does that
//! once the whole query has parsed, because Salesforce reports syntax before meaning.

use super::SoqlError;
use super::lex::{Piece, Tok, Token, decode_string, lex};
use super::resolve::Op;

/// Words that cannot name an alias (Salesforce's list, plus the clause words that follow a
/// FROM and would otherwise be read as one).
const RESERVED: &[&str] = &[
    "AND", "ASC", "DESC", "EXCLUDES", "FIRST", "FROM", "GROUP", "HAVING", "IN", "INCLUDES", "LAST",
    "LIKE", "LIMIT", "NOT", "NULL", "NULLS", "OR", "SELECT", "WHERE", "WITH", "ORDER", "OFFSET",
    "USING", "FOR", "UPDATE", "TYPEOF", "BY", "TRUE", "FALSE",
];

/// A possibly dotted field name, each part with its byte offset.
#[derive(Debug, Clone)]
pub(crate) struct Path {
    pub parts: Vec<(String, usize)>,
}

impl Path {
    pub fn start(&self) -> usize {
        self.parts.first().map_or(0, |p| p.1)
    }
}

#[derive(Debug, Clone)]
pub(crate) enum RawSelect {
    Count,
    Fields(Vec<Path>),
}

#[derive(Debug, Clone)]
pub(crate) enum RawLit {
    Str(Vec<Piece>),
    Num(String),
    Bool(bool),
    Null,
    Date(String),
    DateTime(String),
    /// `TODAY`, `LAST_N_DAYS:7`, …
    DateLiteral {
        name: String,
        n: Option<i64>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct RawValue {
    pub lit: RawLit,
    pub start: usize,
}

#[derive(Debug, Clone)]
pub(crate) enum RawCond {
    And(Vec<RawCond>),
    Or(Vec<RawCond>),
    Not(Box<RawCond>),
    Expr {
        field: Path,
        op: Op,
        values: Vec<RawValue>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct RawOrder {
    pub field: Path,
    pub descending: bool,
    pub nulls_last: Option<bool>,
}

#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    pub select: RawSelect,
    pub object: (String, usize),
    pub alias: Option<String>,
    pub filter: Option<RawCond>,
    pub order: Vec<RawOrder>,
    pub limit: Option<u64>,
    pub offset: Option<(u64, usize)>,
}

/// Relative date literals taking `:n`.
const N_LITERALS: &[&str] = &["LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO"];
/// Relative date literals without a number.
const DATE_LITERALS: &[&str] = &[
    "TODAY",
    "YESTERDAY",
    "TOMORROW",
    "THIS_WEEK",
    "LAST_WEEK",
    "NEXT_WEEK",
    "THIS_MONTH",
    "LAST_MONTH",
    "NEXT_MONTH",
    "THIS_YEAR",
    "LAST_YEAR",
    "NEXT_YEAR",
];

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
}

pub(crate) fn parse(src: &str) -> Result<Parsed, SoqlError> {
    let mut p = Parser {
        src,
        toks: lex(src),
        pos: 0,
    };
    p.query()
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &Token {
        // `lex` always ends with Eof, and the parser never moves past it.
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        &self.toks[(self.pos + ahead).min(self.toks.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if t.tok != Tok::Eof {
            self.pos += 1;
        }
        t
    }

    fn unexpected(&self) -> SoqlError {
        let t = self.peek();
        match &t.tok {
            Tok::Bad(e) => e.clone(),
            Tok::Eof => SoqlError::malformed(self.src, t.start, "unexpected token: '<EOF>'"),
            _ => SoqlError::malformed(
                self.src,
                t.start,
                format!("unexpected token: '{}'", t.text(self.src)),
            ),
        }
    }

    fn at_keyword(&self, kw: &str) -> bool {
        self.peek().is_keyword(self.src, kw)
    }

    fn keyword(&mut self, kw: &str) -> Result<Token, SoqlError> {
        if self.at_keyword(kw) {
            Ok(self.bump())
        } else {
            Err(self.unexpected())
        }
    }

    fn expect(&mut self, tok: Tok) -> Result<Token, SoqlError> {
        if self.peek().tok == tok {
            Ok(self.bump())
        } else {
            Err(self.unexpected())
        }
    }

    fn is_reserved(&self, t: &Token) -> bool {
        t.tok == Tok::Ident && RESERVED.iter().any(|r| t.is_keyword(self.src, r))
    }

    fn name(&mut self) -> Result<(String, usize), SoqlError> {
        let t = self.peek().clone();
        if t.tok == Tok::Ident && !self.is_reserved(&t) {
            self.bump();
            Ok((t.text(self.src).to_string(), t.start))
        } else {
            Err(self.unexpected())
        }
    }

    fn path(&mut self) -> Result<Path, SoqlError> {
        let mut parts = vec![self.name()?];
        while self.peek().tok == Tok::Dot {
            self.bump();
            parts.push(self.name()?);
        }
        Ok(Path { parts })
    }

    fn query(&mut self) -> Result<Parsed, SoqlError> {
        self.keyword("SELECT")?;
        let mut alias_error = None;
        let select = if self.at_keyword("COUNT")
            && self.peek_at(1).tok == Tok::LParen
            && self.peek_at(2).tok == Tok::RParen
        {
            self.bump();
            self.bump();
            self.bump();
            RawSelect::Count
        } else {
            let mut fields = Vec::new();
            loop {
                fields.push(self.path()?);
                let t = self.peek().clone();
                if t.tok == Tok::Ident && !self.is_reserved(&t) {
                    // `SELECT Id Name FROM …`: an alias, which only aggregates may have.
                    self.bump();
                    alias_error.get_or_insert_with(|| {
                        SoqlError::malformed(
                            self.src,
                            t.start,
                            "Only aggregate expressions use field aliasing",
                        )
                    });
                }
                if self.peek().tok == Tok::Comma {
                    self.bump();
                } else {
                    break;
                }
            }
            RawSelect::Fields(fields)
        };
        self.keyword("FROM")?;
        let object = self.name()?;
        let alias = {
            let t = self.peek().clone();
            (t.tok == Tok::Ident && !self.is_reserved(&t)).then(|| {
                self.bump();
                t.text(self.src).to_string()
            })
        };
        let filter = if self.at_keyword("WHERE") {
            self.bump();
            Some(self.condition()?)
        } else {
            None
        };
        let mut order = Vec::new();
        if self.at_keyword("ORDER") {
            self.bump();
            self.keyword("BY")?;
            loop {
                order.push(self.order_item()?);
                if self.peek().tok == Tok::Comma {
                    self.bump();
                } else {
                    break;
                }
            }
        }
        let limit = if self.at_keyword("LIMIT") {
            self.bump();
            Some(self.count()?.0)
        } else {
            None
        };
        let offset = if self.at_keyword("OFFSET") {
            self.bump();
            Some(self.count()?)
        } else {
            None
        };
        if self.peek().tok != Tok::Eof {
            return Err(self.unexpected());
        }
        // Aliasing a plain field parses, then fails: Salesforce checks syntax first.
        if let Some(e) = alias_error {
            return Err(e);
        }
        Ok(Parsed {
            select,
            object,
            alias,
            filter,
            order,
            limit,
            offset,
        })
    }

    /// A non-negative integer (LIMIT, OFFSET).
    fn count(&mut self) -> Result<(u64, usize), SoqlError> {
        let t = self.peek().clone();
        if t.tok == Tok::Num
            && let Ok(n) = t.text(self.src).parse::<u64>()
        {
            self.bump();
            return Ok((n, t.start));
        }
        Err(self.unexpected())
    }

    fn order_item(&mut self) -> Result<RawOrder, SoqlError> {
        let field = self.path()?;
        let mut descending = false;
        if self.at_keyword("ASC") {
            self.bump();
        } else if self.at_keyword("DESC") {
            self.bump();
            descending = true;
        }
        let mut nulls_last = None;
        if self.at_keyword("NULLS") {
            self.bump();
            if self.at_keyword("FIRST") {
                self.bump();
                nulls_last = Some(false);
            } else if self.at_keyword("LAST") {
                self.bump();
                nulls_last = Some(true);
            } else {
                return Err(self.unexpected());
            }
        }
        Ok(RawOrder {
            field,
            descending,
            nulls_last,
        })
    }

    /// Terms joined by AND or by OR — never both without parentheses, which Salesforce
    /// rejects at the first operator of the other kind.
    fn condition(&mut self) -> Result<RawCond, SoqlError> {
        let first = self.term()?;
        let mut joiner: Option<bool> = None; // Some(true) = AND
        let mut terms = vec![first];
        loop {
            let is_and = if self.at_keyword("AND") {
                true
            } else if self.at_keyword("OR") {
                false
            } else {
                break;
            };
            if joiner.is_some_and(|j| j != is_and) {
                return Err(self.unexpected());
            }
            joiner = Some(is_and);
            self.bump();
            terms.push(self.term()?);
        }
        Ok(match joiner {
            None => terms.pop().unwrap_or(RawCond::And(Vec::new())),
            Some(true) => RawCond::And(terms),
            Some(false) => RawCond::Or(terms),
        })
    }

    fn term(&mut self) -> Result<RawCond, SoqlError> {
        if self.at_keyword("NOT") {
            self.bump();
            return Ok(RawCond::Not(Box::new(self.term()?)));
        }
        if self.peek().tok == Tok::LParen {
            self.bump();
            let inner = self.condition()?;
            self.expect(Tok::RParen)?;
            return Ok(inner);
        }
        let field = self.path()?;
        let t = self.peek().clone();
        let op = match t.tok {
            Tok::Eq => Op::Eq,
            Tok::Ne => Op::Ne,
            Tok::Lt => Op::Lt,
            Tok::Le => Op::Le,
            Tok::Gt => Op::Gt,
            Tok::Ge => Op::Ge,
            Tok::Ident if t.is_keyword(self.src, "LIKE") => Op::Like,
            Tok::Ident if t.is_keyword(self.src, "IN") => Op::In,
            Tok::Ident if t.is_keyword(self.src, "INCLUDES") => Op::Includes,
            Tok::Ident if t.is_keyword(self.src, "EXCLUDES") => Op::Excludes,
            Tok::Ident
                if t.is_keyword(self.src, "NOT") && self.peek_at(1).is_keyword(self.src, "IN") =>
            {
                self.bump();
                Op::NotIn
            }
            _ => return Err(self.unexpected()),
        };
        self.bump();
        let values = if matches!(op, Op::In | Op::NotIn | Op::Includes | Op::Excludes) {
            self.expect(Tok::LParen)?;
            let mut values = vec![self.value()?];
            while self.peek().tok == Tok::Comma {
                self.bump();
                values.push(self.value()?);
            }
            self.expect(Tok::RParen)?;
            values
        } else {
            vec![self.value()?]
        };
        Ok(RawCond::Expr { field, op, values })
    }

    fn value(&mut self) -> Result<RawValue, SoqlError> {
        let t = self.peek().clone();
        let text = t.text(self.src);
        let lit = match &t.tok {
            Tok::Str => RawLit::Str(decode_string(self.src, &t)?),
            Tok::Num => RawLit::Num(text.to_string()),
            Tok::Date => RawLit::Date(text.to_string()),
            Tok::DateTime => RawLit::DateTime(text.to_string()),
            Tok::Ident if text.eq_ignore_ascii_case("true") => RawLit::Bool(true),
            Tok::Ident if text.eq_ignore_ascii_case("false") => RawLit::Bool(false),
            Tok::Ident if text.eq_ignore_ascii_case("null") => RawLit::Null,
            Tok::Ident if DATE_LITERALS.iter().any(|d| d.eq_ignore_ascii_case(text)) => {
                RawLit::DateLiteral {
                    name: text.to_ascii_uppercase(),
                    n: None,
                }
            }
            Tok::Ident if N_LITERALS.iter().any(|d| d.eq_ignore_ascii_case(text)) => {
                self.bump();
                self.expect(Tok::Colon)?;
                let n = self.peek().clone();
                let parsed = (n.tok == Tok::Num)
                    .then(|| n.text(self.src).parse::<i64>().ok())
                    .flatten();
                let Some(count) = parsed else {
                    return Err(self.unexpected());
                };
                self.bump();
                return Ok(RawValue {
                    lit: RawLit::DateLiteral {
                        name: text.to_ascii_uppercase(),
                        n: Some(count),
                    },
                    start: t.start,
                });
            }
            _ => return Err(self.unexpected()),
        };
        self.bump();
        Ok(RawValue {
            lit,
            start: t.start,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(q: &str) -> String {
        match parse(q) {
            Ok(p) => panic!("{q} parsed: {p:?}"),
            Err(e) => {
                assert_eq!(e.code, "MALFORMED_QUERY", "{q}");
                e.message
            }
        }
    }

    #[test]
    fn syntax_errors_name_the_first_token_that_does_not_fit() {
        let cases: &[(&str, &str, usize)] = &[
            ("SELEC Id FROM Lead", "unexpected token: 'SELEC'", 1),
            ("SELECT Id FORM Lead", "unexpected token: 'Lead'", 16),
            ("SELECT Id, FROM Lead", "unexpected token: 'FROM'", 12),
            ("SELECT FROM Lead", "unexpected token: 'FROM'", 8),
            ("SELECT Id FROM", "unexpected token: '<EOF>'", 15),
            ("SELECT Id FROM Lead WHERE", "unexpected token: '<EOF>'", 26),
            (
                "SELECT Id FROM Lead WHERE Name",
                "unexpected token: '<EOF>'",
                31,
            ),
            (
                "SELECT Id FROM Lead WHERE Name = ",
                "unexpected token: '<EOF>'",
                34,
            ),
            (
                "SELECT Id FROM Lead WHERE Name == 'a'",
                "unexpected token: '='",
                33,
            ),
            (
                "SELECT Id FROM Lead WHERE A = 1 AND B = 2 OR C = 3",
                "unexpected token: 'OR'",
                43,
            ),
            (
                "SELECT Id FROM Lead WHERE A = 1 OR B = 2 AND C = 3",
                "unexpected token: 'AND'",
                42,
            ),
            (
                "SELECT Id FROM Lead WHERE (A = 1 OR B = 2",
                "unexpected token: '<EOF>'",
                42,
            ),
            (
                "SELECT Id FROM Lead WHERE A IN ()",
                "unexpected token: ')'",
                33,
            ),
            (
                "SELECT Id FROM Lead WHERE A IN 'x'",
                "unexpected token: ''x''",
                32,
            ),
            (
                "SELECT Id FROM Lead WHERE A = Open",
                "unexpected token: 'Open'",
                31,
            ),
            (
                "SELECT Id FROM Lead WHERE Name = 'O'Brien'",
                "unexpected token: 'Brien'",
                37,
            ),
            ("SELECT Id FROM Lead LIMIT x", "unexpected token: 'x'", 27),
            ("SELECT Id FROM Lead LIMIT -1", "unexpected token: '-1'", 27),
            (
                "SELECT Id FROM Lead LIMIT 1.5",
                "unexpected token: '1.5'",
                27,
            ),
            (
                "SELECT Id FROM Lead LIMIT 5 LIMIT 6",
                "unexpected token: 'LIMIT'",
                29,
            ),
            (
                "SELECT Id FROM Lead OFFSET 5 LIMIT 6",
                "unexpected token: 'LIMIT'",
                30,
            ),
            (
                "SELECT Id FROM Lead ORDER Name",
                "unexpected token: 'Name'",
                27,
            ),
            (
                "SELECT Id FROM Lead ORDER BY Name NULLS",
                "unexpected token: '<EOF>'",
                40,
            ),
            (
                "SELECT Id FROM Lead GROUP BY Name",
                "unexpected token: 'GROUP'",
                21,
            ),
            ("SELECT COUNT() Id FROM Lead", "unexpected token: 'Id'", 16),
            (
                "SELECT Id FROM Lead WHERE CreatedDate > LAST_N_DAYS",
                "unexpected token: '<EOF>'",
                52,
            ),
        ];
        for (q, reason, col) in cases {
            let m = err(q);
            assert!(m.ends_with(&format!("\n{reason}")), "{q}: {m}");
            assert!(
                m.contains(&format!("ERROR at Row:1:Column:{col}\n")),
                "{q}: {m}"
            );
        }
    }

    #[test]
    fn aliasing_a_plain_field_fails_after_the_syntax_is_checked() {
        let m = err("SELECT Id Name FROM Lead");
        assert!(
            m.ends_with("\nOnly aggregate expressions use field aliasing"),
            "{m}"
        );
        assert!(m.contains("Column:11"), "{m}");
    }

    #[test]
    fn keywords_are_case_insensitive_and_clauses_parse() {
        let p = parse(
            "select Id, lead.Email from Lead l where (a = 'x' or b != null) and not c in (1, 2) \
             and d not in ('q') and e like 'a%' order by Email desc nulls last, Id limit 10 offset 5",
        )
        .unwrap();
        assert_eq!(p.object.0, "Lead");
        assert_eq!(p.alias.as_deref(), Some("l"));
        assert_eq!(p.limit, Some(10));
        assert_eq!(p.offset.map(|o| o.0), Some(5));
        assert_eq!(p.order.len(), 2);
        assert!(p.order[0].descending);
        assert_eq!(p.order[0].nulls_last, Some(true));
        let RawSelect::Fields(f) = &p.select else {
            panic!()
        };
        assert_eq!(f[1].parts.len(), 2);
        let Some(RawCond::And(terms)) = &p.filter else {
            panic!("{:?}", p.filter)
        };
        assert_eq!(terms.len(), 4);
        assert!(matches!(terms[0], RawCond::Or(_)));
        assert!(matches!(terms[1], RawCond::Not(_)));
        assert!(matches!(terms[2], RawCond::Expr { op: Op::NotIn, .. }));
        assert!(matches!(terms[3], RawCond::Expr { op: Op::Like, .. }));
    }

    #[test]
    fn count_and_date_literals_parse() {
        let p = parse(
            "SELECT COUNT() FROM Lead WHERE CreatedDate = LAST_N_DAYS:7 OR CreatedDate = today",
        )
        .unwrap();
        assert!(matches!(p.select, RawSelect::Count));
        let Some(RawCond::Or(terms)) = p.filter else {
            panic!()
        };
        let RawCond::Expr { values, .. } = &terms[0] else {
            panic!()
        };
        assert!(
            matches!(&values[0].lit, RawLit::DateLiteral { name, n: Some(7) } if name == "LAST_N_DAYS")
        );
        let RawCond::Expr { values, .. } = &terms[1] else {
            panic!()
        };
        assert!(matches!(&values[0].lit, RawLit::DateLiteral { name, n: None } if name == "TODAY"));
    }
}
