//! A deterministic case generator for the differential test: a small PRNG
//! (splitmix64, fixed seed) and cases whose dates cluster where rules are
//! decided: anchors on month ends and leap days, events on and next to due
//! dates, before the anchor and after today, periods that span deadlines,
//! start before the anchor or are still open.

use chrono::NaiveDate;
use pol_compiler::check::ir::{Checked, Ty};
use pol_runtime::bytecode::program::{text_hash, DECIMAL_SCALE, NONE};
use pol_runtime::caseload::batch::OPEN_END;
use pol_runtime::CaseData;

use super::reference::{add_months, day_of};

/// splitmix64: tiny, deterministic, good enough to spread cases.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi]`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        assert!(lo <= hi, "empty range {lo}..={hi}");
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }

    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }

    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

fn ymd(y: i32, m: u32, d: u32) -> i32 {
    day_of(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

/// One generated case and the date it is evaluated on.
pub struct GenCase {
    pub data: CaseData,
    pub today: i32,
}

/// Anchors that stress month-end clamping and leap days.
fn special_anchor(rng: &mut Rng) -> i32 {
    let y = rng.pick(&[2023, 2024, 2025]);
    let choices = [
        (1, 31),
        (1, 30),
        (2, 28),
        (3, 31),
        (3, 1),
        (5, 31),
        (8, 31),
        (10, 31),
        (12, 31),
        (1, 1),
        (11, 30),
        (7, 15),
    ];
    if y == 2024 && rng.chance(25) {
        return ymd(2024, 2, 29) + rng.pick(&[-1, 0, 0, 0, 1]);
    }
    let (m, d) = rng.pick(&choices);
    ymd(y, m, d)
}

/// Evaluation dates: month ends, the leap day, year boundaries.
fn special_today(rng: &mut Rng) -> i32 {
    let list = [
        ymd(2024, 2, 29),
        ymd(2024, 3, 1),
        ymd(2024, 6, 30),
        ymd(2024, 12, 31),
        ymd(2025, 1, 1),
        ymd(2025, 2, 28),
        ymd(2025, 3, 1),
        ymd(2025, 3, 31),
        ymd(2025, 8, 31),
        ymd(2025, 12, 31),
        ymd(2026, 1, 2),
    ];
    rng.pick(&list)
}

/// Days around which the test policy's rules decide, relative to the anchor.
fn key_dates(s: i32, today: i32) -> Vec<i32> {
    let mut v = vec![
        s,
        s + 14,
        s + 55,
        s + 56,
        s + 28,
        s + 84,
        s + 20,
        s + 30,
        s + 42,
    ];
    for m in 1..=14 {
        v.push(add_months(s, m));
    }
    v.push(add_months(s, 24));
    v.push(add_months(s, -1));
    v.push(add_months(s + 14, 12));
    v.push(add_months(s, 3) + 30);
    v.push(today);
    v.push(add_months(today, -6));
    v.push(add_months(today, -12));
    v.push(today - 56);
    let y = reference_year(today);
    v.push(ymd(y, 1, 1));
    v.push(ymd(y - 1, 12, 31));
    v.push(ymd(y - 1, 1, 1));
    v
}

fn reference_year(day: i32) -> i32 {
    use chrono::Datelike;
    super::reference::naive(day).year()
}

/// A date near the interesting ones, or anywhere from before the anchor to
/// after today.
fn event_date(rng: &mut Rng, keys: &[i32], s: i32, today: i32, prev: Option<i32>) -> i32 {
    match rng.range(0, 9) {
        0..=4 => rng.pick(keys) + rng.pick(&[-1, 0, 0, 1]),
        5 | 6 if prev.is_some() => prev.unwrap() + rng.pick(&[29, 30, 31, 41, 42, 43, 0, 1]),
        7 => today + rng.range(-3, 5) as i32,
        _ => {
            let (lo, hi) = (s.min(today) - 40, s.max(today) + 10);
            rng.range(i64::from(lo), i64::from(hi)) as i32
        }
    }
}

fn gen_periods(rng: &mut Rng, s: i32, today: i32, keys: &[i32]) -> Vec<(i32, i32)> {
    let n = rng.pick(&[0, 0, 0, 1, 1, 1, 2, 2, 3]);
    let mut out: Vec<(i32, i32)> = Vec::new();
    let mut cursor = s - rng.range(0, 30) as i32;
    for _ in 0..n {
        let start = match rng.range(0, 5) {
            0 => s + rng.range(-5, 5) as i32,
            1 => rng.pick(keys) + rng.range(-20, 1) as i32,
            2 => today - rng.range(0, 20) as i32,
            _ => cursor + rng.range(1, 90) as i32,
        };
        let start = start.max(cursor + 1);
        let end = if rng.chance(15) {
            OPEN_END
        } else {
            start + rng.range(0, 80) as i32
        };
        out.push((start, end));
        if end == OPEN_END {
            break;
        }
        cursor = end + 1;
    }
    out
}

/// Generates `n` cases for the checked differential policy (its schema is
/// read by field name).
pub fn generate(
    checked: &Checked,
    schema: &pol_runtime::bytecode::program::Schema,
    n: usize,
    seed: u64,
) -> Vec<GenCase> {
    let mut rng = Rng::new(seed);
    let field = |name: &str| checked.fields.iter().position(|f| f.name == name).unwrap();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut data = CaseData::new(schema, format!("c{i}"));
        // anchor and today
        let (s, today) = if rng.chance(60) {
            let s = special_anchor(&mut rng);
            let today = match rng.range(0, 3) {
                0 => special_today(&mut rng),
                1 => add_months(s, rng.range(0, 15)) + rng.pick(&[-1, 0, 1]),
                _ => s + rng.range(-3, 500) as i32,
            };
            (s, today)
        } else {
            let today = special_today(&mut rng);
            let s = match rng.range(0, 3) {
                0 => today - rng.range(-5, 60) as i32,
                1 => add_months(today, -rng.range(0, 26)) + rng.pick(&[-1, 0, 1]),
                _ => today - rng.range(0, 800) as i32,
            };
            (s, today)
        };
        let keys = key_dates(s, today);

        for (fi, f) in checked.fields.iter().enumerate() {
            data.fields[fi] = match f.ty {
                Ty::Bool => rng.range(0, 1),
                Ty::Int => rng.range(0, 9),
                Ty::Decimal => rng.pick(&[0, 5, 10, 15, 21]) * DECIMAL_SCALE / 2,
                Ty::Enum(e) => rng.range(0, checked.enums[e].variants.len() as i64 - 1),
                Ty::Text => text_hash(rng.pick(&["nord", "syd", "vest"])),
                _ => 0,
            };
        }
        data.fields[field("benefit_start")] = i64::from(s);
        let birth = match rng.range(0, 4) {
            0 => add_months(today, -12 * rng.pick(&[20, 25, 30])) + rng.pick(&[-1, 0, 1]),
            1 => add_months(s, -12 * rng.pick(&[20, 25, 30])) + rng.pick(&[-1, 0, 1]),
            2 => ymd(rng.pick(&[1996, 2000, 2004]), 2, 29),
            _ => ymd(1955, 1, 1) + rng.range(0, 18_000) as i32,
        };
        data.fields[field("birth_date")] = i64::from(birth);
        data.fields[field("expected_recovery")] = match rng.range(0, 4) {
            0 | 1 => NONE,
            2 => i64::from(s + 26 * 7 + rng.range(-2, 2) as i32),
            _ => i64::from(today + rng.range(-30, 30) as i32),
        };
        data.fields[field("job_contract_start")] = match rng.range(0, 3) {
            0 | 1 => NONE,
            2 => i64::from(add_months(today, 3) + rng.range(-2, 2) as i32),
            _ => i64::from(today + rng.range(-60, 200) as i32),
        };

        // periods, in schema order
        let mut slot = 0;
        for f in &checked.fields {
            if f.ty == Ty::Periods {
                data.periods[slot] = gen_periods(&mut rng, s, today, &keys);
                slot += 1;
            }
        }

        // events
        for (k, ev) in checked.events.iter().enumerate() {
            let heavy = ev.name == "samtale" || ev.name == "vurdering";
            let count = if heavy {
                rng.pick(&[0, 1, 2, 3, 4, 5, 6, 8, 10])
            } else {
                rng.pick(&[0, 0, 1, 1, 2, 3])
            };
            let mut prev = None;
            for _ in 0..count {
                let d = event_date(&mut rng, &keys, s, today, prev);
                prev = Some(d);
                let values = ev
                    .fields
                    .iter()
                    .map(|f| match f.ty {
                        Ty::Bool => rng.range(0, 1),
                        Ty::Int => rng.range(0, 9),
                        Ty::Decimal => rng.pick(&[0, 100_000, 104_999, 105_000, 120_000]),
                        Ty::Enum(e) => rng.range(0, checked.enums[e].variants.len() as i64 - 1),
                        _ => 0,
                    })
                    .collect();
                data.events[k].push((d, values));
            }
            // the same events the batch will see: sorted by date (stable)
            data.events[k].sort_by_key(|(d, _)| *d);
        }
        out.push(GenCase { data, today });
    }
    out
}
