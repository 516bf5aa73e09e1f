//! Phone numbers as managers write them: what is accepted, in which E.164 form and line type,
//! and why the others are refused.

use samplefile::{LineType, PhoneError, normalize_phone};

fn accepted(raw: &str) -> (String, LineType) {
    let phone = normalize_phone(raw).unwrap_or_else(|error| panic!("{raw:?} refused: {error}"));
    (phone.e164, phone.line_type)
}

fn refused(raw: &str) -> PhoneError {
    match normalize_phone(raw) {
        Ok(phone) => panic!("{raw:?} accepted as {}", phone.e164),
        Err(error) => error,
    }
}

#[test]
fn every_usual_way_of_writing_a_bordeaux_landline_gives_one_e164() {
    for raw in [
        "05 56 12 34 56",
        "0556123456",
        "+33 5 56 12 34 56",
        "+33556123456",
        "0033556123456",
        "0033 5 56 12 34 56",
        "tel:+33-5-56-12-34-56",
        "TEL:+33556123456",
        "05.56.12.34.56",
        "05-56-12-34-56",
        "  05 56 12 34 56  ",
        "\u{a0}05\u{a0}56\u{a0}12\u{a0}34\u{a0}56\t",
        "+33 (0)5 56 12 34 56",
        "+33(0)556123456",
        "(05) 56 12 34 56",
    ] {
        assert_eq!(
            accepted(raw),
            ("+33556123456".to_owned(), LineType::Landline),
            "{raw:?}"
        );
    }
}

#[test]
fn what_a_spreadsheet_leaves_of_a_number_stored_as_a_number_is_accepted() {
    // 0556123456 typed in a number cell keeps 556123456; +33556123456 keeps 33556123456.
    assert_eq!(accepted("556123456").0, "+33556123456");
    assert_eq!(accepted("33556123456").0, "+33556123456");
}

#[test]
fn line_type_comes_from_the_numbering_plan() {
    assert_eq!(
        accepted("06 12 34 56 78"),
        ("+33612345678".to_owned(), LineType::Mobile)
    );
    assert_eq!(
        accepted("07 52 12 34 56"),
        ("+33752123456".to_owned(), LineType::Mobile)
    );
    assert_eq!(
        accepted("09 51 23 45 67"),
        ("+33951234567".to_owned(), LineType::Other)
    );
    assert_eq!(accepted("01 42 12 34 56").1, LineType::Landline);
    // The range the demo's fictitious landlines come from.
    assert_eq!(accepted("05 36 49 12 34").1, LineType::Landline);
}

#[test]
fn empty_cells_and_placeholders_are_empty() {
    for raw in ["", "   ", "-", " . ", "--"] {
        assert_eq!(refused(raw), PhoneError::Empty, "{raw:?}");
    }
}

#[test]
fn letters_are_refused_before_the_parser_reads_them_as_keypad_digits() {
    // phonenumber alone reads `5a` as `52` and accepts the number.
    for raw in [
        "05 56 12 34 5a",
        "néant",
        "NC",
        "05 56 12 34 56 poste 12",
        "O556123456",
    ] {
        assert_eq!(refused(raw), PhoneError::Letters, "{raw:?}");
    }
}

#[test]
fn numbers_with_digits_missing_or_in_excess_say_so() {
    for raw in ["0612345", "05 56 12 34 5", "055612345", "+33 5", "05", "0"] {
        assert_eq!(refused(raw), PhoneError::TooShort, "{raw:?}");
    }
    for raw in [
        "05561234567",
        "+33 6 12 34 56 78 90",
        "05 56 12 34 56 / 06 12 34 56 78",
        "0556123456789012345678",
    ] {
        assert_eq!(refused(raw), PhoneError::TooLong, "{raw:?}");
    }
}

#[test]
fn overseas_forms_and_unassigned_ranges_are_not_valid_under_plus_33() {
    // La Réunion (+262) and Guadeloupe (+590) written as if they were +33 numbers.
    for raw in [
        "02 62 12 34 56",
        "+33 2 62 12 34 56",
        "05 90 12 34 56",
        "0594123456",
        "06 39 12 34 56",
        "07 00 12 34 56",
    ] {
        assert_eq!(refused(raw), PhoneError::Invalid, "{raw:?}");
    }
    assert_eq!(refused("+999 123456"), PhoneError::Invalid);
    assert_eq!(refused("１２３４５６７８９０"), PhoneError::Invalid);
}

#[test]
fn valid_numbers_of_other_countries_and_territories_are_refused_with_their_code() {
    assert_eq!(
        refused("+44 20 7946 0958"),
        PhoneError::Foreign { country_code: 44 }
    );
    assert_eq!(
        refused("0044 20 7946 0958"),
        PhoneError::Foreign { country_code: 44 }
    );
    assert_eq!(
        refused("+262 262 12 34 56"),
        PhoneError::Foreign { country_code: 262 }
    );
    assert_eq!(
        PhoneError::Foreign { country_code: 262 }.to_string(),
        "numéro hors de France métropolitaine (+262)"
    );
}

#[test]
fn special_rate_numbers_are_refused() {
    for raw in [
        "0800 12 34 56",
        "0810123456",
        "0820123456",
        "0899123456",
        "0806123456",
    ] {
        assert_eq!(refused(raw), PhoneError::Special, "{raw:?}");
    }
}

#[test]
fn short_numbers_are_refused_as_such() {
    for raw in ["15", "112", "3949", "3620", "1010", "118 218", "118218"] {
        assert_eq!(refused(raw), PhoneError::Short, "{raw:?}");
    }
    // One digit is no number at all.
    assert_eq!(refused("1"), PhoneError::TooShort);
}

#[test]
fn every_refusal_has_a_french_label_and_a_stable_code() {
    let all = [
        PhoneError::Empty,
        PhoneError::Letters,
        PhoneError::TooShort,
        PhoneError::TooLong,
        PhoneError::Invalid,
        PhoneError::Foreign { country_code: 44 },
        PhoneError::Special,
        PhoneError::Short,
    ];
    let labels: Vec<&str> = all.iter().map(|e| e.label()).collect();
    assert_eq!(
        labels,
        [
            "numéro vide",
            "lettres dans le numéro",
            "numéro trop court",
            "numéro trop long",
            "numéro non valide en France (+33)",
            "numéro hors de France métropolitaine",
            "numéro spécial (08…)",
            "numéro court (3949, 118…)",
        ]
    );
    let codes: Vec<&str> = all.iter().map(|e| e.code()).collect();
    assert_eq!(
        codes,
        [
            "empty_phone",
            "letters",
            "too_short",
            "too_long",
            "invalid_number",
            "foreign_number",
            "special_number",
            "short_number",
        ]
    );
}
