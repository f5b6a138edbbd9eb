//! The artifact file (`.polc`): a fixed header, then the program serialized
//! with postcard.
//!
//! ```text
//! offset  size  field
//!      0     4  magic `POLC`
//!      4     2  format version, little endian (FORMAT_VERSION)
//!      6     4  payload length in bytes, little endian
//!     10     4  CRC-32 (IEEE) of the payload, little endian
//!     14     n  payload: `Program`, postcard
//! ```
//!
//! The header is checked before anything is allocated, so a foreign, cut or
//! damaged file is refused with its own error. Changing any type in
//! `program.rs` changes the payload: bump `FORMAT_VERSION`.

use crate::bytecode::program::Program;

pub const MAGIC: [u8; 4] = *b"POLC";
/// The only payload layout this runtime reads.
pub const FORMAT_VERSION: u16 = 7;
pub const HEADER_LEN: usize = 14;

/// Why an artifact was refused. Every variant names the problem in the words
/// of someone holding a `.polc` file; `code()` gives its `E06xx` code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// A file that does not start with `POLC`, e.g. a `.pol` source given
    /// where the compiled artifact was expected.
    #[error("not a compiled policy: the file does not start with `POLC`")]
    NotAnArtifact,
    /// A file cut short (an interrupted copy or download).
    #[error(
        "the policy file is truncated: {section} needs {expected} bytes, only {found} present"
    )]
    Truncated {
        section: &'static str,
        expected: u64,
        found: u64,
    },
    /// Bytes after the payload the header announced.
    #[error("the policy file has {extra} unexpected bytes after its end")]
    TrailingBytes { extra: u64 },
    /// Built by a `pol` with another artifact format.
    #[error(
        "the policy was built for artifact format {found}; this runtime reads format {supported}"
    )]
    UnsupportedVersion { found: u16, supported: u16 },
    /// The payload does not match its checksum: the file was damaged.
    #[error("the policy file is corrupted: checksum {found:08x} does not match the recorded {expected:08x}")]
    Corrupted { expected: u32, found: u32 },
    /// The checksum matches but the payload is not a program of this format.
    #[error("the policy file is malformed: {0}")]
    Malformed(String),
    /// A program no correct compiler produces (a bad index, a broken
    /// expression); `at` says where, e.g. "rule 3 (`first_contact`)".
    #[error("invalid policy: {at}: {problem}")]
    Invalid { at: String, problem: String },
}

impl LoadError {
    /// The stable diagnostic code (`pol explain E0601`).
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::NotAnArtifact => "E0601",
            LoadError::Truncated { .. } => "E0602",
            LoadError::TrailingBytes { .. } => "E0603",
            LoadError::UnsupportedVersion { .. } => "E0604",
            LoadError::Corrupted { .. } => "E0605",
            LoadError::Malformed(_) => "E0606",
            LoadError::Invalid { .. } => "E0607",
        }
    }
}

/// The artifact bytes of `program`.
pub fn encode(program: &Program) -> Vec<u8> {
    // Serializing plain data into a Vec cannot fail; an empty payload would
    // be refused on load, which is the honest outcome if it ever did.
    let payload = postcard::to_allocvec(program).unwrap_or_default();
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

/// The program in artifact `bytes` (not verified: see `verify`).
pub fn decode(bytes: &[u8]) -> Result<Program, LoadError> {
    let magic = bytes.get(0..4);
    match magic {
        Some(m) if m == MAGIC => {}
        // A prefix of the magic is a cut artifact, anything else is foreign.
        _ if MAGIC.starts_with(bytes) && !bytes.is_empty() => {
            return Err(truncated("the header", HEADER_LEN, bytes.len()))
        }
        _ => return Err(LoadError::NotAnArtifact),
    }
    let header = bytes
        .get(..HEADER_LEN)
        .ok_or_else(|| truncated("the header", HEADER_LEN, bytes.len()))?;
    let (version, len, crc) = match header {
        [_, _, _, _, v0, v1, l0, l1, l2, l3, c0, c1, c2, c3] => (
            u16::from_le_bytes([*v0, *v1]),
            u32::from_le_bytes([*l0, *l1, *l2, *l3]) as usize,
            u32::from_le_bytes([*c0, *c1, *c2, *c3]),
        ),
        _ => return Err(truncated("the header", HEADER_LEN, bytes.len())),
    };
    if version != FORMAT_VERSION {
        return Err(LoadError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let rest = bytes.get(HEADER_LEN..).unwrap_or(&[]);
    if rest.len() < len {
        return Err(truncated("the payload", len, rest.len()));
    }
    if rest.len() > len {
        return Err(LoadError::TrailingBytes {
            extra: (rest.len() - len) as u64,
        });
    }
    let found = crc32fast::hash(rest);
    if found != crc {
        return Err(LoadError::Corrupted {
            expected: crc,
            found,
        });
    }
    // postcard reads from the borrowed slice and serde caps up-front
    // capacity, so a lying length prefix cannot make us allocate more than
    // the payload's size allows.
    let (program, tail) = postcard::take_from_bytes::<Program>(rest)
        .map_err(|e| LoadError::Malformed(e.to_string()))?;
    if !tail.is_empty() {
        return Err(LoadError::Malformed(format!(
            "{} bytes left over after the program",
            tail.len()
        )));
    }
    Ok(program)
}

fn truncated(section: &'static str, expected: usize, found: usize) -> LoadError {
    LoadError::Truncated {
        section,
        expected: expected as u64,
        found: found as u64,
    }
}
