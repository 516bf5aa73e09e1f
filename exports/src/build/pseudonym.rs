//! Pseudonymous identifiers: a keyed hash (HMAC-SHA256) of the server's key, shortened to a
//! readable code. The same secret and key always give the same code, so ids are stable across
//! re-exports and waves; without the secret a code cannot be traced back to a case.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::error::BuildError;

/// Shortest secret accepted (bytes); the server keeps 32 random bytes per survey.
pub const MIN_SECRET_BYTES: usize = 16;

/// Crockford's base 32 alphabet: digits and capitals without I, L, O, U, easy to read aloud.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of a respondent code: 60 bits, so collisions are negligible for a survey
/// (and detected anyway).
const RESPONDENT_CHARS: usize = 12;
/// Characters of an interviewer code: 40 bits for a few dozen interviewers.
const INTERVIEWER_CHARS: usize = 8;

/// Turns case and interviewer keys into codes, with the survey's secret.
#[derive(Clone)]
pub struct Pseudonymizer {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymizer { .. }")
    }
}

impl Pseudonymizer {
    /// Keyed with `secret` (at least [`MIN_SECRET_BYTES`] bytes).
    pub fn new(secret: &[u8]) -> Result<Self, BuildError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(BuildError::ShortSecret {
                bytes: secret.len(),
                minimum: MIN_SECRET_BYTES,
            });
        }
        let mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| BuildError::ShortSecret {
            bytes: secret.len(),
            minimum: MIN_SECRET_BYTES,
        })?;
        Ok(Self { mac })
    }

    /// Respondent code of a case, `R` then 12 characters in groups of 4: `R7KQ2-M9XD-4TZA`.
    pub fn respondent(&self, case_key: &str) -> String {
        format!(
            "R{}",
            grouped(&self.code("respondent", case_key, RESPONDENT_CHARS))
        )
    }

    /// Interviewer code, `E` then 8 characters: `E3F0-KD2M`.
    pub fn interviewer(&self, key: &str) -> String {
        format!(
            "E{}",
            grouped(&self.code("interviewer", key, INTERVIEWER_CHARS))
        )
    }

    /// The first `chars` base-32 characters of HMAC(secret, domain NUL key); the domain keeps
    /// a respondent and an interviewer with the same key apart.
    fn code(&self, domain: &str, key: &str, chars: usize) -> String {
        let mut mac = self.mac.clone();
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(key.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut out = String::with_capacity(chars);
        let (mut buffer, mut bits) = (0u32, 0u32);
        for &byte in digest.iter() {
            buffer = (buffer << 8) | u32::from(byte);
            bits += 8;
            while bits >= 5 && out.len() < chars {
                bits -= 5;
                out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
            }
            buffer &= (1 << bits) - 1;
            if out.len() == chars {
                break;
            }
        }
        out
    }
}

/// Groups of 4 characters joined by `-`.
fn grouped(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_keyed() {
        let a = Pseudonymizer::new(b"0123456789abcdef").unwrap();
        let b = Pseudonymizer::new(b"0123456789abcdeg").unwrap();
        let code = a.respondent("case-1");
        assert_eq!(code.len(), 1 + 12 + 2);
        assert!(code.starts_with('R'));
        assert_eq!(code, a.respondent("case-1"));
        assert_ne!(code, b.respondent("case-1"));
        assert_ne!(code, a.respondent("case-2"));
        assert_eq!(a.interviewer("marie").len(), 1 + 8 + 1);
        assert!(matches!(
            Pseudonymizer::new(b"short"),
            Err(BuildError::ShortSecret { bytes: 5, .. })
        ));
    }
}
