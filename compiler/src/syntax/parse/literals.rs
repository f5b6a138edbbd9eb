//! Literals: strings, dates, whole and scaled numbers, percentages,
//! durations and their units, each checked on the way (a date that does not
//! exist, a number out of range, an unknown unit with a suggestion).

use super::*;

impl Builder<'_> {
    pub(super) fn string(&self, p: &Pair<'_, Rule>) -> Str {
        let raw = p.as_str();
        let inner = raw
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(raw);
        let mut value = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('"') => value.push('"'),
                    Some('\\') => value.push('\\'),
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some(o) => {
                        value.push('\\');
                        value.push(o);
                    }
                    None => value.push('\\'),
                }
            } else {
                value.push(c);
            }
        }
        Str {
            value,
            span: self.span(p),
        }
    }

    pub(super) fn date(&mut self, p: &Pair<'_, Rule>) -> DateLit {
        let s = p.as_str();
        let part = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
        let date = match (part(0..4), part(5..7), part(8..10)) {
            (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y as i32, m, d),
            _ => None,
        };
        let span = self.span(p);
        let date = date.unwrap_or_else(|| {
            self.error(
                Diagnostic::error(codes::BAD_DATE, format!("`{s}` is not a date"))
                    .with_label(span, "no such day")
                    .with_help("write dates as year-month-day, e.g. `2026-03-02`"),
            );
            NaiveDate::default()
        });
        DateLit { date, span }
    }

    pub(super) fn int(&mut self, p: &Pair<'_, Rule>) -> i64 {
        match p.as_str().parse::<i64>() {
            Ok(n) if n <= i64::MAX / SCALE => n,
            _ => {
                let sp = self.span(p);
                self.error(
                    Diagnostic::error(
                        codes::NUMBER_RANGE,
                        format!("`{}` is too large", p.as_str()),
                    )
                    .with_label(sp, "too many digits")
                    .with_help("numbers must stay below 922337203685477"),
                );
                0
            }
        }
    }

    pub(super) fn int_lit(&mut self, p: &Pair<'_, Rule>) -> IntLit {
        let n = self.int(p);
        let value = u32::try_from(n).unwrap_or_else(|_| {
            let sp = self.span(p);
            self.error(
                Diagnostic::error(codes::NUMBER_RANGE, format!("`{n}` is too large"))
                    .with_label(sp, "too large here")
                    .with_help("use a number below 4294967296"),
            );
            0
        });
        IntLit {
            value,
            span: self.span(p),
        }
    }

    /// `37.5` → 375_000; at most 4 decimals.
    pub(super) fn scaled(&mut self, p: &Pair<'_, Rule>) -> i64 {
        let s = p.as_str();
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let sp = self.span(p);
        if frac.len() > 4 {
            self.error(
                Diagnostic::error(
                    codes::NUMBER_RANGE,
                    format!("`{s}` has more than 4 decimals"),
                )
                .with_label(sp, "too precise")
                .with_help("round to at most 4 decimals"),
            );
        }
        let mut frac_n: i64 = 0;
        for (i, c) in frac.chars().take(4).enumerate() {
            frac_n += i64::from(c.to_digit(10).unwrap_or(0) as u8) * 10i64.pow(3 - i as u32);
        }
        match whole.parse::<i64>() {
            Ok(w) if w < i64::MAX / SCALE => w * SCALE + frac_n,
            _ => {
                self.error(
                    Diagnostic::error(codes::NUMBER_RANGE, format!("`{s}` is too large"))
                        .with_label(sp, "too many digits")
                        .with_help("numbers must stay below 922337203685477"),
                );
                0
            }
        }
    }

    /// `75%` → 750_000.
    pub(super) fn percent(&mut self, p: &Pair<'_, Rule>) -> i64 {
        match p.clone().into_inner().next() {
            Some(n) => self.scaled(&n),
            None => 0,
        }
    }

    pub(super) fn duration(&mut self, p: &Pair<'_, Rule>) -> DurationLit {
        let span = self.span(p);
        let mut n = 0;
        let mut unit = Unit::Day;
        for c in p.clone().into_inner() {
            match c.as_rule() {
                Rule::int => n = self.int(&c),
                Rule::unit => unit = self.unit(&c),
                _ => {}
            }
        }
        DurationLit { n, unit, span }
    }

    pub(super) fn unit(&mut self, p: &Pair<'_, Rule>) -> Unit {
        let word = p.as_str();
        let sp = self.span(p);
        match keywords::unit(word) {
            Some((u, l)) => {
                if l != self.lang && keywords::unit_word(u, 2, self.lang) != word {
                    let right = keywords::unit_word(u, 2, self.lang);
                    self.error(
                        Diagnostic::error(
                            codes::MIXED_LANGUAGE,
                            format!(
                                "`{word}` is {} but this file is written in {}",
                                lang_name(l),
                                lang_name(self.lang)
                            ),
                        )
                        .with_label(sp, format!("{} unit", lang_name(l)))
                        .with_help(format!(
                            "write `{right}`: a file uses one keyword language throughout"
                        )),
                    );
                }
                u
            }
            None => {
                let units = match self.lang {
                    Language::English => "`days`, `weeks`, `months` or `years`",
                    Language::Danish => "`dage`, `uger`, `måneder` or `år`",
                };
                let help = match keywords::guess_unit(word, self.lang) {
                    Some(g) => format!("did you mean `{g}`? a duration's unit is one of {units}"),
                    None => format!("a duration's unit is one of {units}"),
                };
                self.error(
                    Diagnostic::error(codes::UNKNOWN_UNIT, format!("unknown unit `{word}`"))
                        .with_label(sp, "not a unit")
                        .with_help(help),
                );
                Unit::Day
            }
        }
    }

    pub(super) fn build_literal(&mut self, p: Pair<'_, Rule>) -> Literal {
        let span = self.span(&p);
        let kind = match p.into_inner().next() {
            Some(c) => match c.as_rule() {
                Rule::kw_true => LiteralKind::Bool(true),
                Rule::kw_false => LiteralKind::Bool(false),
                Rule::date => LiteralKind::Date(self.date(&c).date),
                Rule::percent => LiteralKind::Percent(self.percent(&c)),
                Rule::decimal => LiteralKind::Decimal(self.scaled(&c)),
                Rule::duration => LiteralKind::Duration(self.duration(&c)),
                Rule::int => LiteralKind::Int(self.int(&c)),
                Rule::neg_number => match c.into_inner().next() {
                    Some(n) => match n.as_rule() {
                        Rule::percent => LiteralKind::Percent(-self.percent(&n)),
                        Rule::decimal => LiteralKind::Decimal(-self.scaled(&n)),
                        _ => LiteralKind::Int(-self.int(&n)),
                    },
                    None => LiteralKind::Int(0),
                },
                Rule::string => LiteralKind::Text(self.string(&c).value),
                Rule::lit_periods => {
                    let mut ps = Vec::new();
                    for lp in c.into_inner().filter(|x| x.as_rule() == Rule::lit_period) {
                        let mut ds = lp
                            .into_inner()
                            .filter(|x| x.as_rule() == Rule::date)
                            .map(|x| self.date(&x))
                            .collect::<Vec<_>>()
                            .into_iter();
                        if let Some(from) = ds.next() {
                            ps.push((from, ds.next()));
                        }
                    }
                    LiteralKind::Periods(ps)
                }
                Rule::ident => LiteralKind::Name(self.ident(&c)),
                _ => LiteralKind::Int(0),
            },
            None => LiteralKind::Int(0),
        };
        Literal { kind, span }
    }
}
