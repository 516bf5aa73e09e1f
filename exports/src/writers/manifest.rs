//! Export manifest: the SHA-256 checksum and size of every written file, as JSON, so analysts
//! and archives can check that files are complete and unaltered.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::WriteError;
use crate::dataset::Timestamp;

/// One file of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Path relative to the export directory, with `/` separators.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Lowercase hexadecimal SHA-256 of the content.
    pub sha256: String,
}

/// The list of files of one export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Creation time of the export (RFC 3339, UTC).
    pub created: String,
    /// Files in the order they were added.
    pub files: Vec<ManifestEntry>,
}

impl Manifest {
    /// An empty manifest stamped with `created`.
    pub fn new(created: Timestamp) -> Self {
        Self {
            created: created.rfc3339(),
            files: Vec::new(),
        }
    }

    /// Checksums `dir/relative` and records it under `relative`.
    pub fn add_file(&mut self, dir: &Path, relative: &str) -> io::Result<&ManifestEntry> {
        let (bytes, sha256) = sha256_file(&dir.join(relative))?;
        self.files.push(ManifestEntry {
            path: relative.replace('\\', "/"),
            bytes,
            sha256,
        });
        Ok(&self.files[self.files.len() - 1])
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> Result<String, WriteError> {
        Ok(serde_json::to_string_pretty(self)? + "\n")
    }
}

/// Size and lowercase hexadecimal SHA-256 of a file, read in 64 KiB blocks.
pub fn sha256_file(path: &Path) -> io::Result<(u64, String)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, hex(&hasher.finalize())))
}

/// Lowercase hexadecimal SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_known_digest_of_abc() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
