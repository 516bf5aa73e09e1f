//! The columns of a sample file once its header is read: which column holds each field, and the
//! preload fields (every other column with a header).

use crate::field::Field;
use crate::file_error::FileError;
use crate::fold;
use crate::mapping::{Mapping, Pick};

/// Header names of each field, folded (see [`fold::compact`]).
const PHONE_NAMES: &[&str] = &[
    "telephone",
    "tel",
    "numero",
    "num",
    "phone",
    "telephone1",
    "tel1",
    "numero1",
    "phone1",
    "numtel",
    "numerotel",
    "numerotelephone",
    "numerodetelephone",
    "ntel",
    "ntelephone",
    "ndetelephone",
    "phonenumber",
    "telephonefixe",
    "telfixe",
    "fixe",
];
const SECOND_PHONE_NAMES: &[&str] = &[
    "telephone2",
    "tel2",
    "numero2",
    "num2",
    "phone2",
    "portable",
    "telportable",
    "telephoneportable",
    "mobile",
    "telmobile",
    "telephonemobile",
    "gsm",
    "cellulaire",
];
const COMMUNE_NAMES: &[&str] = &[
    "commune",
    "nomcommune",
    "nomdelacommune",
    "libellecommune",
    "codecommune",
    "codeinsee",
    "insee",
    "codgeo",
    "depcom",
    "communeinsee",
    "ville",
    "city",
    "municipality",
];
const EXTERNAL_ID_NAMES: &[&str] = &[
    "id",
    "identifiant",
    "ident",
    "ref",
    "reference",
    "externalid",
    "idexterne",
];

/// A preload field: a column without a role, given to the questionnaire as is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreloadField {
    /// The header as written (trimmed): the preload field's name.
    pub name: String,
    /// Flagged personal by the caller: never exported.
    pub personal: bool,
    pub(crate) index: usize,
}

/// The columns of a sample file: headers and the column of each field.
///
/// Headers are recognised case-, accent-, space- and punctuation-insensitively: a header is
/// folded (`N° de Téléphone` → `ndetelephone`, `code_insee` → `codeinsee`) and looked up among
/// these folded names:
///
/// | field | folded names |
/// |---|---|
/// | phone | telephone, tel, numero, num, phone, telephone1, tel1, numero1, phone1, numtel, numerotel, numerotelephone, numerodetelephone, ntel, ntelephone, ndetelephone, phonenumber, telephonefixe, telfixe, fixe |
/// | second phone | telephone2, tel2, numero2, num2, phone2, portable, telportable, telephoneportable, mobile, telmobile, telephonemobile, gsm, cellulaire |
/// | commune | commune, nomcommune, nomdelacommune, libellecommune, codecommune, codeinsee, insee, codgeo, depcom, communeinsee, ville, city, municipality |
/// | identifier | id, identifiant, ident, ref, reference, externalid, idexterne |
///
/// A file with no phone column but one second-phone column (a list of mobiles headed
/// `portable`) takes that column as its phone column. Columns without a header are ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    headers: Vec<String>,
    phone: usize,
    second_phone: Option<usize>,
    commune: Option<usize>,
    external_id: Option<usize>,
    preload: Vec<PreloadField>,
}

impl Columns {
    /// The headers as found (trimmed), in file order.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The header of the column holding `field`, when the file has one.
    pub fn header(&self, field: Field) -> Option<&str> {
        self.index(field).map(|index| self.headers[index].as_str())
    }

    /// The preload fields, in file order.
    pub fn preload(&self) -> &[PreloadField] {
        &self.preload
    }

    pub(crate) fn index(&self, field: Field) -> Option<usize> {
        match field {
            Field::Phone => Some(self.phone),
            Field::SecondPhone => self.second_phone,
            Field::Commune => self.commune,
            Field::ExternalId => self.external_id,
        }
    }

    /// Resolves the header of `file` (on `line`) with the caller's `mapping`.
    pub(crate) fn resolve(
        headers: Vec<String>,
        mapping: &Mapping,
        file: &str,
        line: u32,
    ) -> Result<Columns, FileError> {
        let headers: Vec<String> = headers.iter().map(|h| h.trim().to_owned()).collect();
        let finder = Finder {
            keys: headers.iter().map(|h| fold::compact(h)).collect(),
            headers: &headers,
            file,
            line,
        };
        finder.check_duplicates()?;

        let phone_pick = mapping.phone.clone().map_or(Pick::Auto, Pick::Column);
        let roles = [
            (Field::Phone, &phone_pick, PHONE_NAMES),
            (
                Field::SecondPhone,
                &mapping.second_phone,
                SECOND_PHONE_NAMES,
            ),
            (Field::Commune, &mapping.commune, COMMUNE_NAMES),
            (Field::ExternalId, &mapping.external_id, EXTERNAL_ID_NAMES),
        ];
        // Explicit picks first, so that recognition by name never takes a column given to
        // another field.
        let mut chosen: [Option<usize>; 4] = [None; 4];
        for (slot, (field, pick, _)) in chosen.iter_mut().zip(&roles) {
            if let Pick::Column(name) = pick {
                *slot = Some(finder.named(name, *field)?);
            }
        }
        for (slot_index, &(field, pick, names)) in roles.iter().enumerate() {
            if *pick == Pick::Auto {
                chosen[slot_index] = finder.recognised(field, names, &chosen)?;
            }
        }
        let [phone, mut second_phone, commune, external_id] = chosen;
        let phone = match phone {
            Some(phone) => phone,
            None => match second_phone.take() {
                Some(only) if mapping.second_phone == Pick::Auto => only,
                _ => {
                    return Err(FileError::NoPhoneColumn {
                        file: file.to_owned(),
                        line,
                        headers: headers.clone(),
                    });
                }
            },
        };

        let taken = [Some(phone), second_phone, commune, external_id];
        let mut preload: Vec<PreloadField> = headers
            .iter()
            .enumerate()
            .filter(|&(index, name)| !name.is_empty() && !taken.contains(&Some(index)))
            .map(|(index, name)| PreloadField {
                name: name.clone(),
                personal: false,
                index,
            })
            .collect();
        for name in &mapping.personal {
            let index = finder
                .find(name)
                .ok_or_else(|| FileError::UnknownPersonalField {
                    file: file.to_owned(),
                    line,
                    name: name.clone(),
                    headers: headers.clone(),
                })?;
            // A field with a role (the phone…) is never exported anyway.
            if let Some(field) = preload.iter_mut().find(|field| field.index == index) {
                field.personal = true;
            }
        }
        Ok(Columns {
            headers,
            phone,
            second_phone,
            commune,
            external_id,
            preload,
        })
    }
}

/// Looks headers up for [`Columns::resolve`].
struct Finder<'h> {
    headers: &'h [String],
    keys: Vec<String>,
    file: &'h str,
    line: u32,
}

impl Finder<'_> {
    fn check_duplicates(&self) -> Result<(), FileError> {
        for (index, name) in self.headers.iter().enumerate() {
            if !name.is_empty() && self.headers[..index].contains(name) {
                return Err(FileError::DuplicateHeader {
                    file: self.file.to_owned(),
                    line: self.line,
                    name: name.clone(),
                });
            }
        }
        Ok(())
    }

    /// The column named `name`: exactly, else the one header with the same folded name.
    fn find(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        if let Some(index) = self.headers.iter().position(|h| h == name) {
            return Some(index);
        }
        let key = fold::compact(name);
        let mut matches = self.keys.iter().enumerate().filter(|(_, k)| **k == key);
        match (matches.next(), matches.next()) {
            (Some((index, _)), None) if !key.is_empty() => Some(index),
            _ => None,
        }
    }

    fn named(&self, name: &str, field: Field) -> Result<usize, FileError> {
        self.find(name).ok_or_else(|| FileError::UnknownColumn {
            file: self.file.to_owned(),
            line: self.line,
            field,
            name: name.to_owned(),
            headers: self.headers.to_vec(),
        })
    }

    /// The one column whose header is a name of `field` and not already chosen.
    fn recognised(
        &self,
        field: Field,
        names: &[&str],
        chosen: &[Option<usize>],
    ) -> Result<Option<usize>, FileError> {
        let candidates: Vec<usize> = (0..self.headers.len())
            .filter(|index| names.contains(&self.keys[*index].as_str()))
            .filter(|index| !chosen.contains(&Some(*index)))
            .collect();
        match candidates.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            several => Err(FileError::AmbiguousColumn {
                file: self.file.to_owned(),
                line: self.line,
                field,
                columns: several.iter().map(|&i| self.headers[i].clone()).collect(),
            }),
        }
    }
}
