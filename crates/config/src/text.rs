//! Input files as text: the bytes of a scenario, service tag or workspace file become UTF-8 text,
//! or one located diagnostic saying what the file is instead and how to save it.

use crate::diagnostic::{Diagnostic, Loc};

/// How many bytes are inspected for the NUL pattern of UTF-16 without a byte order mark.
const SNIFF: usize = 512;

/// Decodes a file's bytes as UTF-8 (a UTF-8 byte order mark is dropped). UTF-16 and UTF-32 (by
/// their byte order mark or their NUL bytes), other binary content (a NUL byte) and invalid
/// UTF-8 are refused at the first offending byte's line and column.
pub fn decode_text(file: &str, bytes: &[u8]) -> Result<String, Diagnostic> {
    let error = |loc: Loc, message: String, help: &str| Diagnostic {
        file: file.to_string(),
        loc,
        message,
        help: Some(help.to_string()),
    };
    const SAVE_AS_UTF8: &str =
        "save the file as UTF-8 (in most editors: \"Save with encoding\" or \"Encoding: UTF-8\")";
    let start = Loc { line: 1, column: 1 };
    for (bom, encoding) in [
        (&[0xFF, 0xFE, 0, 0][..], "UTF-32"),
        (&[0, 0, 0xFE, 0xFF][..], "UTF-32"),
        (&[0xFF, 0xFE][..], "UTF-16"),
        (&[0xFE, 0xFF][..], "UTF-16"),
    ] {
        if bytes.starts_with(bom) {
            return Err(error(
                start,
                format!("the file is {encoding} (it starts with a {encoding} byte order mark)"),
                SAVE_AS_UTF8,
            ));
        }
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        // UTF-16 of mostly ASCII text has a NUL in every other byte, and none in the others.
        let head = &bytes[..bytes.len().min(SNIFF)];
        let nuls = |parity: usize| head.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
        let half = head.len() / 2;
        let utf16 = |on: usize, off: usize| nuls(on) * 4 >= half * 3 && nuls(off) * 10 <= half;
        if half >= 2 && (utf16(0, 1) || utf16(1, 0)) {
            return Err(error(start, "the file looks like UTF-16 (every other byte is zero)".into(), SAVE_AS_UTF8));
        }
        return Err(error(
            location(bytes, nul),
            "the file holds a NUL byte: it is binary, not text".into(),
            "give a YAML or JSON text file",
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let at = e.valid_up_to();
            Err(error(
                location(bytes, at),
                format!(
                    "the file is not valid UTF-8: byte 0x{:02X} cannot start or continue a character here",
                    bytes[at]
                ),
                "it may be Latin-1 or Windows-1252; save the file as UTF-8",
            ))
        }
    }
}

/// The 1-based line and column (in characters) of byte `at`; the bytes before it are valid UTF-8
/// or the column counts bytes.
fn location(bytes: &[u8], at: usize) -> Loc {
    let before = &bytes[..at];
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let in_line = &before[line_start..];
    let column = std::str::from_utf8(in_line).map_or(in_line.len(), |t| t.chars().count()) + 1;
    Loc { line: line as u32, column: column as u32 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], expected: Result<&str, (&str, u32, u32)>) {
        match (decode_text("f.yaml", bytes), expected) {
            (Ok(text), Ok(want)) => assert_eq!(text, want),
            (Err(d), Err((message, line, column))) => {
                assert!(d.message.starts_with(message), "{}", d.message);
                assert_eq!((d.loc.line, d.loc.column), (line, column), "{}", d.message);
                assert!(d.help.is_some());
            }
            (got, want) => panic!("got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn utf8_with_or_without_a_byte_order_mark_is_text() {
        check(b"name: a\n", Ok("name: a\n"));
        check(b"\xEF\xBB\xBFname: a\n", Ok("name: a\n"));
        check("name: caf\u{e9}\n".as_bytes(), Ok("name: caf\u{e9}\n"));
    }

    #[test]
    fn utf16_and_utf32_are_named_with_an_encoding_hint() {
        let utf16le: Vec<u8> = "\u{feff}name: a\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        check(&utf16le, Err(("the file is UTF-16", 1, 1)));
        let utf16be: Vec<u8> = "\u{feff}name: a\n".encode_utf16().flat_map(u16::to_be_bytes).collect();
        check(&utf16be, Err(("the file is UTF-16", 1, 1)));
        let no_bom: Vec<u8> = "name: a\nregion: b\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        check(&no_bom, Err(("the file looks like UTF-16", 1, 1)));
        check(&[0xFF, 0xFE, 0, 0, b'a', 0, 0, 0], Err(("the file is UTF-32", 1, 1)));
        let d = decode_text("f.yaml", &utf16le).unwrap_err();
        assert!(d.help.unwrap().contains("UTF-8"));
    }

    #[test]
    fn binary_and_latin1_are_located() {
        check(b"name: a\nregion: \x00\x01\x02", Err(("the file holds a NUL byte", 2, 9)));
        check(b"name: a\ndescription: caf\xE9\n", Err(("the file is not valid UTF-8: byte 0xE9", 2, 17)));
        let mut latin = "a: \u{e9}".as_bytes().to_vec();
        latin.push(0xE9);
        check(&latin, Err(("the file is not valid UTF-8", 1, 5)));
    }
}
