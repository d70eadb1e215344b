//! The ARM expression language: a JSON string `"[…]"` holds one expression, a function call
//! (`concat('a', parameters('b'))`) followed by property accesses (`.x`) and indexes (`[0]`).
//! Literals are single-quoted strings (`''` is a quote) and integers. `"[[…"` is a literal
//! string starting with `[`.
//!
//! Every node keeps its byte offset in the JSON string's value, so errors point into it.

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Str(String),
    Int(i64),
    Call { name: String, args: Vec<Expr>, at: usize },
    Member { base: Box<Expr>, name: String, at: usize },
    Index { base: Box<Expr>, index: Box<Expr>, at: usize },
}

impl Expr {
    pub fn at(&self) -> usize {
        match self {
            Expr::Str(_) | Expr::Int(_) => 0,
            Expr::Call { at, .. } | Expr::Member { at, .. } | Expr::Index { at, .. } => *at,
        }
    }
}

/// What a JSON string is: a literal or an expression.
pub enum Text<'a> {
    Literal(std::borrow::Cow<'a, str>),
    Expression(&'a str),
}

/// Classifies a template string the way ARM does: `[…]` is an expression, `[[…` a literal
/// starting with `[`.
pub fn classify(s: &str) -> Text<'_> {
    if let Some(rest) = s.strip_prefix("[[") {
        return Text::Literal(format!("[{rest}").into());
    }
    if s.starts_with('[') && s.ends_with(']') && s.len() >= 2 {
        return Text::Expression(s);
    }
    Text::Literal(s.into())
}

/// A syntax error at a byte offset of the string.
#[derive(Debug)]
pub struct SyntaxError {
    pub at: usize,
    pub message: String,
}

/// Parses the expression string `s` (with its brackets).
pub fn parse(s: &str) -> Result<Expr, SyntaxError> {
    let mut p = Parser { s: s.as_bytes(), text: s, at: 1, end: s.len() - 1, depth: 0 };
    p.space();
    if p.at >= p.end {
        return Err(SyntaxError { at: 1, message: "an empty expression `[]`".into() });
    }
    let e = p.expr()?;
    p.space();
    if p.at < p.end {
        return Err(p.error(format!("unexpected `{}` after the expression", p.rest_char())));
    }
    Ok(e)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    at: usize,
    end: usize,
    depth: usize,
}

/// The deepest nesting of calls, indexes and parentheses an expression may have.
pub const MAX_DEPTH: usize = 64;

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        (self.at < self.end).then(|| self.s[self.at])
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn error(&self, message: String) -> SyntaxError {
        SyntaxError { at: self.at, message }
    }

    fn rest_char(&self) -> char {
        self.text[self.at..].chars().next().unwrap_or(' ')
    }

    fn expect(&mut self, c: u8, what: &str) -> Result<(), SyntaxError> {
        self.space();
        if self.peek() == Some(c) {
            self.at += 1;
            Ok(())
        } else if self.at >= self.end {
            Err(self.error(format!("the expression ends before {what}")))
        } else {
            Err(self.error(format!("expected {what}, found `{}`", self.rest_char())))
        }
    }

    fn expr(&mut self) -> Result<Expr, SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("the expression nests deeper than {MAX_DEPTH} levels")));
        }
        let e = self.postfix();
        self.depth -= 1;
        e
    }

    fn postfix(&mut self) -> Result<Expr, SyntaxError> {
        let mut e = self.primary()?;
        loop {
            self.space();
            match self.peek() {
                Some(b'.') => {
                    let at = self.at;
                    self.at += 1;
                    self.space();
                    let name =
                        self.identifier().ok_or_else(|| self.error("expected a property name after `.`".into()))?;
                    e = Expr::Member { base: Box::new(e), name, at };
                }
                Some(b'[') => {
                    let at = self.at;
                    self.at += 1;
                    self.space();
                    let index = self.expr()?;
                    self.expect(b']', "`]` closing the index")?;
                    e = Expr::Index { base: Box::new(e), index: Box::new(index), at };
                }
                _ => return Ok(e),
            }
        }
    }

    fn identifier(&mut self) -> Option<String> {
        let start = self.at;
        while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b == b'_' || b == b'$') {
            self.at += 1;
        }
        (self.at > start).then(|| self.text[start..self.at].to_string())
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        self.space();
        let start = self.at;
        match self.peek() {
            Some(b'\'') => self.string(),
            Some(b'-' | b'0'..=b'9') => {
                self.at += 1;
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.at += 1;
                }
                let digits = &self.text[start..self.at];
                digits
                    .parse()
                    .map(Expr::Int)
                    .map_err(|_| SyntaxError { at: start, message: format!("`{digits}` is not an integer") })
            }
            Some(b) if b.is_ascii_alphabetic() || b == b'_' => {
                let name = self.identifier().unwrap_or_default();
                self.space();
                if self.peek() != Some(b'(') {
                    return Err(SyntaxError {
                        at: start,
                        message: format!(
                            "`{name}` is not a function call; strings are quoted ('{name}') and functions are called ({name}())"
                        ),
                    });
                }
                self.at += 1;
                let mut args = Vec::new();
                self.space();
                if self.peek() == Some(b')') {
                    self.at += 1;
                } else {
                    loop {
                        args.push(self.expr()?);
                        self.space();
                        match self.peek() {
                            Some(b',') => self.at += 1,
                            Some(b')') => {
                                self.at += 1;
                                break;
                            }
                            None => {
                                return Err(self.error(format!(
                                    "the expression ends inside the arguments of `{name}`; a `)` is missing"
                                )));
                            }
                            Some(_) => {
                                return Err(self.error(format!(
                                    "expected `,` or `)` in the arguments of `{name}`, found `{}`",
                                    self.rest_char()
                                )));
                            }
                        }
                    }
                }
                Ok(Expr::Call { name, args, at: start })
            }
            None => Err(self.error("the expression ends where a value is expected".into())),
            Some(_) => Err(self.error(format!("unexpected `{}`", self.rest_char()))),
        }
    }

    fn string(&mut self) -> Result<Expr, SyntaxError> {
        let start = self.at;
        self.at += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.at..self.end];
            let Some(quote) = rest.find('\'') else {
                return Err(SyntaxError {
                    at: start,
                    message: "a string that is never closed (a `'` is missing)".into(),
                });
            };
            out.push_str(&rest[..quote]);
            self.at += quote + 1;
            if self.peek() == Some(b'\'') {
                out.push('\'');
                self.at += 1;
            } else {
                return Ok(Expr::Str(out));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_members_indexes_and_escapes_parse() {
        let e = parse("[reference(variables('a'), '2020').ip[0].x]").expect("parses");
        let Expr::Member { base, name, .. } = e else { panic!("member") };
        assert_eq!(name, "x");
        assert!(matches!(*base, Expr::Index { .. }));
        assert_eq!(parse("['it''s']").unwrap(), Expr::Str("it's".into()));
        assert_eq!(
            parse("[add(-1, 2)]").unwrap(),
            Expr::Call { name: "add".into(), args: vec![Expr::Int(-1), Expr::Int(2)], at: 1 }
        );
        assert!(matches!(classify("[[not]"), Text::Literal(s) if s == "[not]"));
        assert!(matches!(classify("[x"), Text::Literal(_)));
    }

    #[test]
    fn syntax_errors_point_into_the_string() {
        assert_eq!(parse("[concat('a' 'b')]").unwrap_err().at, 12);
        assert_eq!(parse("[concat('a']").unwrap_err().at, 11);
        assert_eq!(parse("[foo]").unwrap_err().at, 1);
        assert_eq!(parse("['abc]").unwrap_err().at, 1);
        assert!(parse("[]").is_err());
        assert!(parse("[a().]").is_err());
    }
}
