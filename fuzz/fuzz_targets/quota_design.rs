//! Text into the quotas crate's parsers: the design file (`Design::from_toml`), which must write
//! back to a file that reads as the same design, and the population and structure CSVs and cell
//! keys.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quotas::{CellKey, Design, Structure, parse_populations, population_vintages};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Design::from_toml(text) {
        Ok(design) => {
            let written = design.to_toml();
            let again = Design::from_toml(&written)
                .unwrap_or_else(|e| panic!("a written design does not read back: {e}\n{written}"));
            assert_eq!(
                again, design,
                "a written design reads back different\n{written}"
            );
            for cell in design.cells() {
                let key: CellKey = cell.key.to_string().parse().expect("a cell key reads back");
                assert_eq!(key, cell.key);
            }
        }
        Err(errors) => {
            assert!(!errors.0.is_empty());
            let _ = errors.to_string();
        }
    }
    let _ = population_vintages(text);
    let _ = parse_populations(text, "2023");
    let _ = Structure::parse(text);
    let _ = text.parse::<CellKey>();
});
