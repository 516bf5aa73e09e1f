//! Reading and validating a survey manager's phone list, with no I/O: bytes in, rows and a
//! report out. The server stores the rows and prints or shows the report.
//!
//! - [`SampleFile::open`] reads CSV (separator `,` `;` or tab, UTF-8 with or without BOM,
//!   UTF-16 with BOM, else Windows-1252) or the first sheet of an .xlsx workbook, takes the
//!   first non-blank row as the header and maps columns by header name ([`Mapping`] overrides
//!   it); [`SampleFile::records`] then yields the rows one at a time, numbered as a spreadsheet
//!   shows them.
//! - [`Validator::validate`] normalises numbers to E.164 with `phonenumber` (region FR, valid
//!   numbers only, line type from the numbering plan), matches communes against the survey's
//!   [`CommuneList`] and finds duplicates within the file; a refused row is a [`Rejection`]
//!   with a typed [`Reason`].
//! - [`Report`] counts accepted and rejected rows; [`Report::reject_if`] is the hook for the
//!   caller's checks against the database ([`CallerCheck::AlreadyInWave`],
//!   [`CallerCheck::DoNotCall`]); [`Report::write_csv`] and [`Report::to_json`] render it.
//!
//! ```
//! use samplefile::{CallerCheck, CommuneList, Mapping, Report, SampleFile, Validator};
//!
//! let communes = CommuneList::new([("33063", "Bordeaux"), ("33069", "Le Bouscat")]).unwrap();
//! let bytes = "id;Téléphone;Commune;age\n\
//!              A1;05 56 12 34 56;Bordeaux;34\n\
//!              A2;0612345;33063;51\n\
//!              A3;+33 6 12 34 56 78;Bouscat (Le);\n\
//!              A4;07 52 12 34 56;;70\n";
//! let mut file = SampleFile::open(bytes.as_bytes(), "liste.csv", &Mapping::default()).unwrap();
//! let mut validator = Validator::new(&communes);
//! let mut report = Report::new();
//! let mut batch = Vec::new();
//! for record in file.records().unwrap() {
//!     match validator.validate(record.unwrap()) {
//!         Ok(row) => batch.push(row),
//!         Err(rejection) => report.reject(rejection),
//!     }
//! }
//! // The caller's own checks, with what it read from its database for this batch.
//! report.reject_if(&mut batch, CallerCheck::DoNotCall, |e164| e164 == "+33752123456");
//! for row in &batch {
//!     report.accept(row);
//! }
//! assert_eq!(report.accepted(), 2);
//! let rejected: Vec<String> = report.rejected().iter().map(|r| r.to_string()).collect();
//! assert_eq!(
//!     rejected,
//!     [
//!         "ligne 3 : numéro trop court (numéro : « 0612345 »)",
//!         "ligne 5 : numéro sur la liste des personnes à ne plus appeler (numéro : « +33752123456 »)",
//!     ]
//! );
//! assert_eq!(batch[1].external_id, "A3");
//! assert_eq!(batch[1].commune.as_ref().unwrap().name, "Le Bouscat");
//! ```

mod columns;
mod commune;
mod csv_rows;
mod encoding;
mod field;
mod file_error;
mod fold;
mod format;
mod mapping;
mod phone;
mod reason;
mod record;
mod rejection;
mod report;
mod report_csv;
mod report_json;
mod row;
mod sample_file;
mod separator;
mod validator;
mod xlsx_rows;

pub use columns::{Columns, PreloadField};
pub use commune::{Commune, CommuneList, CommuneListError, CommuneMatch};
pub use encoding::TextEncoding;
pub use field::Field;
pub use file_error::FileError;
pub use format::Format;
pub use mapping::{Mapping, Pick};
pub use phone::{LineType, Phone, PhoneError, normalize_phone};
pub use reason::Reason;
pub use record::{Overflow, Record};
pub use rejection::Rejection;
pub use report::{CallerCheck, CommuneCount, ReasonCount, Report};
pub use report_json::{JsonRejection, JsonReport};
pub use row::Row;
pub use sample_file::{Progress, Records, SampleFile};
pub use separator::Separator;
pub use validator::Validator;
