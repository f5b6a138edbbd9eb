//! The loader refuses what is not a sound artifact (each with its own error)
//! and the verifier refuses programs no correct compiler produces.

#[path = "vm/builder.rs"]
mod builder;

use builder::*;
use pol_runtime::bytecode::format::{decode, encode, FORMAT_VERSION, HEADER_LEN};
use pol_runtime::bytecode::program::{
    Body, CodeRef, CountTerm, Dur, ForbidWindow, Form, KindFilter, Op,
};
use pol_runtime::Policy;

fn sample() -> Builder {
    let mut b = Builder::new();
    let personal = b.personal();
    b.rule(
        "first_contact",
        Form::Within { len: Dur::Days(14) },
        &[count_where(SAMTALE, 1, personal)],
    );
    b
}

fn refused(bytes: &[u8]) -> String {
    match Policy::load(bytes) {
        Ok(_) => "loaded".into(),
        Err(e) => format!("{}: {e}", e.code()),
    }
}

#[test]
fn round_trips() {
    let b = sample();
    let bytes = encode(&b.p);
    assert_eq!(&bytes[..4], b"POLC");
    assert_eq!(decode(&bytes), Ok(b.p.clone()));
    let p = Policy::load(&bytes).map_err(|e| e.to_string());
    assert_eq!(p.map(|p| p.to_bytes()), Ok(bytes));
}

#[test]
fn refuses_damaged_files() {
    let bytes = encode(&sample().p);
    let mut corrupt = bytes.clone();
    let last = corrupt.len() - 3;
    corrupt[last] ^= 0x40;
    let c = refused(&corrupt);
    assert!(
        c.starts_with("E0605: the policy file is corrupted: checksum"),
        "{c}"
    );

    assert_eq!(
        refused(&bytes[..bytes.len() - 5]),
        format!(
            "E0602: the policy file is truncated: the payload needs {} bytes, only {} present",
            bytes.len() - HEADER_LEN,
            bytes.len() - HEADER_LEN - 5
        )
    );
    assert_eq!(
        refused(&bytes[..9]),
        "E0602: the policy file is truncated: the header needs 14 bytes, only 9 present"
    );
    assert_eq!(
        refused(b"PO"),
        "E0602: the policy file is truncated: the header needs 14 bytes, only 2 present"
    );
    assert_eq!(
        refused(b""),
        "E0601: not a compiled policy: the file does not start with `POLC`"
    );

    let mut foreign = bytes.clone();
    foreign[..4].copy_from_slice(b"\x7fELF");
    assert_eq!(
        refused(&foreign),
        "E0601: not a compiled policy: the file does not start with `POLC`"
    );
    assert_eq!(
        refused(b"policy hedensted \"Hedensted\"\n"),
        "E0601: not a compiled policy: the file does not start with `POLC`"
    );

    let mut other = bytes.clone();
    other[4..6].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    assert_eq!(
        refused(&other),
        format!(
            "E0604: the policy was built for artifact format {}; this runtime reads format {FORMAT_VERSION}",
            FORMAT_VERSION + 1
        )
    );

    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        refused(&longer),
        "E0603: the policy file has 1 unexpected bytes after its end"
    );
}

#[test]
fn refuses_a_well_checksummed_payload_that_is_not_a_program() {
    let payload = [0xffu8; 40];
    let mut bytes = b"POLC".to_vec();
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);
    let r = refused(&bytes);
    assert!(r.starts_with("E0606: the policy file is malformed"), "{r}");
}

#[test]
fn random_bytes_never_load_and_never_panic() {
    // xorshift: deterministic "random" inputs, some starting like an artifact.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let good = encode(&sample().p);
    for i in 0..2_000 {
        let len = (i * 7) % 300;
        let mut v: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        if i % 2 == 0 && v.len() > HEADER_LEN {
            v[..HEADER_LEN].copy_from_slice(&good[..HEADER_LEN]);
        }
        assert!(Policy::load(&v).is_err());
    }
    // every prefix of a good artifact is refused as truncated or foreign
    for n in 0..good.len() {
        assert!(Policy::load(&good[..n]).is_err());
    }
}

fn invalid(b: &Builder) -> String {
    match Policy::from_program(b.p.clone()) {
        Ok(_) => "accepted".into(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn verifier_refuses_broken_programs() {
    let mut b = sample();
    b.p.rules[0].body = vec![Body::Require(pol_runtime::bytecode::program::Requirement {
        counts: vec![count_where(SAMTALE, 1, 7)],
        ..match &b.p.rules[0].body[0] {
            Body::Require(r) => r.clone(),
            Body::Branch { .. } => unreachable!(),
        }
    })];
    assert_eq!(
        invalid(&b),
        "invalid policy: rule 0 (`first_contact`): body 0: filter 7 out of range (there are 1)"
    );

    let mut b = sample();
    b.group("bad", &[Op::Const(1), Op::And], None);
    assert_eq!(
        invalid(&b),
        "invalid policy: group 0 (`bad`): op 5 (And): the stack underflows"
    );

    let mut b = sample();
    b.group("two", &[Op::Const(1), Op::Const(2)], None);
    assert_eq!(
        invalid(&b),
        "invalid policy: group 0 (`two`): code 4..+2 leaves 2 values, not 1"
    );

    let mut b = sample();
    b.group("ev", &[Op::EvDate], None);
    assert!(
        invalid(&b).contains("only be read inside an event filter"),
        "{}",
        invalid(&b)
    );

    let mut b = sample();
    b.group("periods", &[Op::Field(STANDBY)], None);
    assert!(
        invalid(&b).contains("field 3 is periods"),
        "{}",
        invalid(&b)
    );

    let mut b = sample();
    b.group("rulemet", &[Op::RuleMet(0)], None);
    assert!(
        invalid(&b).contains("only be read in a target"),
        "{}",
        invalid(&b)
    );

    let mut b = sample();
    b.filter(
        SAMTALE,
        &[Op::Agg {
            func: pol_runtime::bytecode::program::AggFunc::Count,
            kind: SAMTALE,
            filter: u32::MAX,
            window: pol_runtime::bytecode::program::AggWindow::All,
        }],
    );
    assert!(invalid(&b).contains("filter 1: op"), "{}", invalid(&b));

    let mut b = sample();
    b.rule(
        "two_counts",
        Form::Rolling {
            len: Dur::Months(12),
        },
        &[count(SAMTALE, 1), count(TILBUD, 1)],
    );
    assert!(invalid(&b).contains("exactly one count"), "{}", invalid(&b));

    let mut b = sample();
    b.rule(
        "zero",
        Form::Within { len: Dur::Days(1) },
        &[count(SAMTALE, 0)],
    );
    assert!(invalid(&b).contains("requires 0 events"), "{}", invalid(&b));

    let mut b = sample();
    let deep: Vec<Op> = std::iter::repeat_n(Op::Const(1), 65)
        .chain(std::iter::repeat_n(Op::And, 64))
        .collect();
    b.group("deep", &deep, None);
    assert!(
        invalid(&b).contains("the stack grows past 64"),
        "{}",
        invalid(&b)
    );

    let mut b = sample();
    let cond = b.code(&[Op::Const(1)]);
    b.p.rules[0].body.insert(
        0,
        Body::Branch {
            cond,
            then: 0,
            otherwise: None,
        },
    );
    assert!(
        invalid(&b).contains("not a later body node"),
        "{}",
        invalid(&b)
    );

    let mut b = sample();
    b.p.sets.push(1 << 5);
    assert!(
        invalid(&b).contains("names a variant no enum has"),
        "{}",
        invalid(&b)
    );

    let mut b = sample();
    b.p.code.push(Op::Const(1));
    b.p.groups.push(pol_runtime::bytecode::program::Group {
        name: 0,
        title: None,
        pred: CodeRef { start: 3, len: 9 },
        priority: None,
        citations: vec![],
        span: 0,
    });
    assert!(
        invalid(&b).contains("out of range (there are 5 ops)"),
        "{}",
        invalid(&b)
    );

    let mut b = sample();
    b.exemption(
        "bad_while",
        pol_runtime::bytecode::program::Effect::Suspend,
        &[0],
        pol_runtime::bytecode::program::ExemptionCondition::While(START),
        None,
        &[],
    );
    assert!(invalid(&b).contains("not periods"), "{}", invalid(&b));

    // counts over several kinds: each kind once, at most 4, filters of
    // their own kind, a list that exists and is not empty, never in a
    // prohibition
    let also = |kind: u16, filter: u32| KindFilter { kind, filter };
    let many = |b: &mut Builder, kinds: Vec<KindFilter>| {
        b.p.also_kinds.push(kinds);
        CountTerm {
            also: (b.p.also_kinds.len() - 1) as u32,
            ..count(SAMTALE, 1)
        }
    };
    let within = Form::Within { len: Dur::Days(14) };
    let mut b = sample();
    let c = many(&mut b, vec![also(SAMTALE, u32::MAX)]);
    b.rule("twice", within, &[c]);
    assert!(
        invalid(&b).contains("names event kind 0 twice"),
        "{}",
        invalid(&b)
    );

    let mut b = sample();
    let c = many(&mut b, vec![also(TILBUD, u32::MAX); 4]);
    b.rule("five", within, &[c]);
    assert!(
        invalid(&b).contains("more than 4 event kinds"),
        "{}",
        invalid(&b)
    );

    let mut b = sample();
    let c = many(&mut b, vec![also(9, u32::MAX)]);
    b.rule("unknown", within, &[c]);
    assert!(
        invalid(&b).contains("event kind 9 out of range"),
        "{}",
        invalid(&b)
    );

    let mut b = sample();
    let f = b.filter(SAMTALE, &[Op::Const(1)]);
    let c = many(&mut b, vec![also(TILBUD, f)]);
    b.rule("wrong_filter", within, &[c]);
    assert!(
        invalid(&b).contains("reads another event kind"),
        "{}",
        invalid(&b)
    );

    let mut b = sample();
    let c = many(&mut b, vec![]);
    b.rule("empty", within, &[c]);
    assert!(
        invalid(&b).contains("kind list 0 is empty"),
        "{}",
        invalid(&b)
    );

    let mut b = sample();
    b.rule(
        "dangling",
        within,
        &[CountTerm {
            also: 3,
            ..count(SAMTALE, 1)
        }],
    );
    assert!(
        invalid(&b).contains("kind list 3 out of range"),
        "{}",
        invalid(&b)
    );

    let mut b = sample();
    let c = many(&mut b, vec![also(TILBUD, u32::MAX)]);
    b.rule(
        "forbid_two",
        Form::Forbid {
            window: ForbidWindow::Within { len: Dur::Days(14) },
        },
        &[c],
    );
    assert!(
        invalid(&b).contains("a prohibition names one event kind"),
        "{}",
        invalid(&b)
    );

    // `min`/`max` pop two values
    let mut b = sample();
    b.group("min", &[Op::Today, Op::Min], None);
    assert!(
        invalid(&b).contains("(Min): the stack underflows"),
        "{}",
        invalid(&b)
    );
}
