//! A rough throughput check of the hot path: ~10 rules of every form over
//! cases with ~6 events each. It asserts only that results are produced (CI
//! machines vary); run it with `--release -- --nocapture` to see the rate.

#[path = "vm/builder.rs"]
mod builder;

use builder::*;
use pol_runtime::bytecode::program::{Dur, Effect, ExemptionCondition, Form, Op};
use pol_runtime::{CaseBatch, Status};

#[test]
fn evaluates_many_cases_quickly() {
    let mut b = Builder::new();
    let personal = b.personal();
    let ledige = b.group(
        "ledige",
        &[Op::Field(BENEFIT), Op::Const(DAGPENGE), Op::Eq],
        None,
    );
    b.group(
        "syg",
        &[Op::Field(BENEFIT), Op::Const(SYGEDAGPENGE), Op::Eq],
        None,
    );
    b.rule(
        "w2",
        Form::Within { len: Dur::Days(14) },
        &[count(SAMTALE, 1)],
    );
    b.rule(
        "wk8",
        Form::BeforeWeek { week: 8 },
        &[count_where(SAMTALE, 1, personal)],
    );
    b.rule(
        "c6m",
        Form::Within {
            len: Dur::Months(6),
        },
        &[count(SAMTALE, 2), count(TILBUD, 1)],
    );
    b.rule(
        "slots",
        Form::Slots {
            every: Dur::Months(1),
            first: Dur::Months(6),
        },
        &[count(SAMTALE, 1)],
    );
    b.rule(
        "gap",
        Form::Interval {
            gap: Dur::Days(42),
            after: Dur::Months(6),
        },
        &[count(SAMTALE, 1)],
    );
    b.rule(
        "review",
        Form::Interval {
            gap: Dur::Months(6),
            after: Dur::Days(0),
        },
        &[count(TILBUD, 1)],
    );
    b.rule(
        "rolling",
        Form::Rolling {
            len: Dur::Months(12),
        },
        &[count(SAMTALE, 6)],
    );
    b.rule("yearly", Form::CalendarYear, &[count(TILBUD, 1)]);
    b.rule(
        "w4",
        Form::Within { len: Dur::Days(28) },
        &[count_where(SAMTALE, 2, personal)],
    );
    b.rule("wk12", Form::BeforeWeek { week: 12 }, &[count(TILBUD, 1)]);
    for r in &mut b.p.rules {
        r.groups = vec![ledige];
    }
    b.exemption(
        "standby",
        Effect::Suspend,
        &[0, 1, 2, 3],
        ExemptionCondition::While(STANDBY),
        None,
        &[],
    );
    let p = b.policy();

    let n = if cfg!(debug_assertions) {
        20_000
    } else {
        1_000_000
    };
    let mut batch = CaseBatch::new(&b.p.schema);
    let base = d("2025-01-01");
    let mut x: u64 = 42;
    let mut rnd = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % m) as i32
    };
    for i in 0..n {
        let start = base + rnd(365);
        let mut c = Case::new(&b.p, "2025-01-01").field(START, i64::from(start));
        c.data.id = format!("c{i}");
        for _ in 0..4 {
            c.data.events[SAMTALE as usize].push((start + rnd(400), vec![i64::from(rnd(2))]));
        }
        for _ in 0..2 {
            c.data.events[TILBUD as usize].push((start + rnd(400), vec![0]));
        }
        if rnd(10) == 0 {
            c.data.periods[0].push((start + 20, start + 40));
        }
        batch.push(c.data, 0);
    }
    let today = d("2026-03-01");
    let mut out = p.new_result();
    let cpu0 = thread_cpu_ticks();
    let t0 = std::time::Instant::now();
    let mut met = 0usize;
    for i in 0..batch.len() {
        p.evaluate_case(batch.case(i), today, &mut out);
        met += out.rules.iter().filter(|r| r.status == Status::Met).count();
    }
    let dt = t0.elapsed();
    // CPU time, not wall time: the rate per core even on a busy machine.
    let cpu = (thread_cpu_ticks() - cpu0).max(1) as f64 / 100.0;
    println!(
        "{n} cases x {} rules in {dt:?} wall, {cpu:.2}s cpu: {:.2} M cases/s per core ({met} met)",
        b.p.rules.len(),
        n as f64 / cpu / 1e6
    );
    assert!(met > 0);
}

/// This thread's user + system CPU time in clock ticks (1/100 s), from
/// /proc (0 where there is none).
fn thread_cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let at = |i: usize| f.get(i).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
    at(11) + at(12)
}
