//! The character encoding of a CSV file, detected from its bytes: a byte-order mark says it
//! (UTF-8, or UTF-16 as Excel's « Texte Unicode » export writes), otherwise valid UTF-8 is UTF-8
//! and anything else is Windows-1252, what Excel and LibreOffice write on a French Windows.

use std::borrow::Cow;

use serde::Serialize;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16BE_BOM: &[u8] = b"\xFE\xFF";

/// How a CSV file's bytes were decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    /// UTF-8 without byte-order mark.
    Utf8,
    /// UTF-8 starting with a byte-order mark (Excel's « CSV UTF-8 »).
    Utf8WithBom,
    /// UTF-16 little-endian with its byte-order mark (Excel's « Texte Unicode »).
    Utf16Le,
    /// UTF-16 big-endian with its byte-order mark.
    Utf16Be,
    /// Windows-1252: bytes that are not valid UTF-8 and carry no byte-order mark.
    Windows1252,
}

impl TextEncoding {
    /// French name, for reports and messages.
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8WithBom => "UTF-8 avec BOM",
            TextEncoding::Utf16Le => "UTF-16 LE",
            TextEncoding::Utf16Be => "UTF-16 BE",
            TextEncoding::Windows1252 => "Windows-1252",
        }
    }
}

/// Bytes that do not decode in the encoding their byte-order mark announces.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Undecodable {
    /// The encoding announced.
    pub encoding: TextEncoding,
    /// Line of the file (1 for the first) holding the first bad bytes.
    pub line: u32,
}

/// Decodes a CSV file's bytes, without its byte-order mark; borrowed when it is UTF-8.
pub(crate) fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, TextEncoding), Undecodable> {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return match std::str::from_utf8(rest) {
            Ok(text) => Ok((Cow::Borrowed(text), TextEncoding::Utf8WithBom)),
            Err(error) => Err(Undecodable {
                encoding: TextEncoding::Utf8WithBom,
                line: line_at(&rest[..error.valid_up_to()]),
            }),
        };
    }
    for (bom, encoding, decoder) in [
        (UTF16LE_BOM, TextEncoding::Utf16Le, encoding_rs::UTF_16LE),
        (UTF16BE_BOM, TextEncoding::Utf16Be, encoding_rs::UTF_16BE),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let (text, had_errors) = decoder.decode_without_bom_handling(rest);
            if had_errors {
                let bad = text.find(char::REPLACEMENT_CHARACTER).unwrap_or(text.len());
                return Err(Undecodable {
                    encoding,
                    line: line_at(text[..bad].as_bytes()),
                });
            }
            return Ok((text, encoding));
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((Cow::Borrowed(text), TextEncoding::Utf8)),
        Err(_) => {
            // Windows-1252 maps every byte to a character: this never fails.
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            Ok((text, TextEncoding::Windows1252))
        }
    }
}

/// The line that the byte following `before` is on.
fn line_at(before: &[u8]) -> u32 {
    let breaks = before.iter().filter(|&&b| b == b'\n').count();
    u32::try_from(breaks).unwrap_or(u32::MAX).saturating_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom_is_borrowed() {
        let (text, encoding) = decode("Mérignac".as_bytes()).unwrap();
        assert_eq!((text.as_ref(), encoding), ("Mérignac", TextEncoding::Utf8));
        assert!(matches!(text, Cow::Borrowed(_)));
        let (text, encoding) = decode(b"\xEF\xBB\xBFM\xC3\xA9rignac").unwrap();
        assert_eq!(
            (text.as_ref(), encoding),
            ("Mérignac", TextEncoding::Utf8WithBom)
        );
    }

    #[test]
    fn invalid_utf8_without_bom_is_windows_1252() {
        let (text, encoding) = decode(b"B\xE8gles;\x80;\x9Cuf").unwrap();
        assert_eq!(
            (text.as_ref(), encoding),
            ("Bègles;€;œuf", TextEncoding::Windows1252)
        );
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend("tél\t1".encode_utf16().flat_map(u16::to_le_bytes));
        let (text, encoding) = decode(&bytes).unwrap();
        assert_eq!((text.as_ref(), encoding), ("tél\t1", TextEncoding::Utf16Le));
    }

    #[test]
    fn bad_bytes_after_a_utf8_bom_are_an_error_with_their_line() {
        let error = decode(b"\xEF\xBB\xBFa\nb\nc\xE9\n").unwrap_err();
        assert_eq!(
            error,
            Undecodable {
                encoding: TextEncoding::Utf8WithBom,
                line: 3
            }
        );
    }
}
