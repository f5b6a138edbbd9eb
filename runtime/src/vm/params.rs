//! Parameter values (language reference §8.1): what a policy names but does
//! not know itself — a baseline, a national average — given when a caseload
//! is evaluated (`pol eval --param niveau_2019=1234`) or taken from the
//! declaration's default.

use crate::bytecode::program::{FieldType, Program, DECIMAL_SCALE};

/// One value per `Program::params` entry, in its type's value model;
/// `None` when neither given nor defaulted.
pub type ParamValues = Vec<Option<i64>>;

/// Why a `name=value` could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("`{0}` is not `name=value`")]
    NotAPair(String),
    #[error("the policy has no parameter `{name}`{known}")]
    Unknown { name: String, known: String },
    #[error("`{value}` is not a value for `{name}`: {expected}")]
    BadValue {
        name: String,
        value: String,
        expected: &'static str,
    },
}

/// The defaults, then every `name=value` in `given` over them.
pub fn resolve(program: &Program, given: &[String]) -> Result<ParamValues, ParamError> {
    let mut values: ParamValues = program.params.iter().map(|p| p.default).collect();
    let name_of = |i: usize| -> &str { program.params.get(i).map_or("", |p| program.text(p.name)) };
    for pair in given {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(ParamError::NotAPair(pair.clone()));
        };
        let (name, value) = (name.trim(), value.trim());
        let Some(i) = (0..program.params.len()).find(|i| name_of(*i) == name) else {
            let names: Vec<&str> = (0..program.params.len()).map(name_of).collect();
            return Err(ParamError::Unknown {
                name: name.to_string(),
                known: if names.is_empty() {
                    " (it declares none)".to_string()
                } else {
                    format!(" (it has: {})", names.join(", "))
                },
            });
        };
        let ty = program.params.get(i).map_or(FieldType::Int, |p| p.ty);
        let v = parse(ty, value).ok_or_else(|| ParamError::BadValue {
            name: name.to_string(),
            value: value.to_string(),
            expected: match ty {
                FieldType::Int => "a whole number, e.g. `1234`",
                FieldType::Percent => "a percentage, e.g. `62.5%`",
                FieldType::Days => "a duration in days or weeks, e.g. `25 weeks`",
                _ => "a number, e.g. `12.5`",
            },
        })?;
        if let Some(slot) = values.get_mut(i) {
            *slot = Some(v);
        }
    }
    Ok(values)
}

/// A value of type `ty` as text: `1234`, `12.5` (or `12,5`), `62.5%`,
/// `25 weeks` / `175 days` / `175` (days).
fn parse(ty: FieldType, s: &str) -> Option<i64> {
    match ty {
        FieldType::Int => s.parse().ok(),
        FieldType::Decimal => fixed(s),
        FieldType::Percent => fixed(s.strip_suffix('%').unwrap_or(s).trim()).map(|v| v / 100),
        FieldType::Days => {
            let (n, unit) = match s.split_once(char::is_whitespace) {
                Some((n, u)) => (n, u.trim()),
                None => (s, "days"),
            };
            let n: i64 = n.parse().ok()?;
            match unit {
                "day" | "days" | "dag" | "dage" => Some(n),
                "week" | "weeks" | "uge" | "uger" => n.checked_mul(7),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `12.5` or `12,5` scaled by `DECIMAL_SCALE`, at most four decimals.
fn fixed(s: &str) -> Option<i64> {
    let s = s.replace(',', ".");
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, s),
    };
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty() || frac.len() > 4 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let w: i64 = whole.parse().ok()?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<4}").parse().ok()?
    };
    let v = w.checked_mul(DECIMAL_SCALE)?.checked_add(f)?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_by_type() {
        assert_eq!(parse(FieldType::Int, "1234"), Some(1234));
        assert_eq!(parse(FieldType::Decimal, "12,5"), Some(125_000));
        assert_eq!(parse(FieldType::Percent, "62.5%"), Some(6_250));
        assert_eq!(parse(FieldType::Percent, "62.5"), Some(6_250));
        assert_eq!(parse(FieldType::Days, "25 weeks"), Some(175));
        assert_eq!(parse(FieldType::Days, "175"), Some(175));
        assert_eq!(parse(FieldType::Days, "3 months"), None);
        assert_eq!(parse(FieldType::Int, "12.5"), None);
        assert_eq!(parse(FieldType::Decimal, "1.23456"), None);
    }
}
