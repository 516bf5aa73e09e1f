//! The rejected rows as a CSV file the survey manager opens in a spreadsheet to correct the
//! phone list: UTF-8 with a byte-order mark and `;`, what a French Excel opens without asking.

use std::io::Write;

use crate::report::Report;

impl Report {
    /// Writes the rejected rows, in line order, under the header
    /// `ligne;champ;motif;code;valeur` (`champ` is `ligne` when the whole line is at fault).
    pub fn write_csv<W: Write>(&self, mut out: W) -> std::io::Result<()> {
        out.write_all(b"\xEF\xBB\xBF")?;
        let mut writer = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
        writer.write_record(["ligne", "champ", "motif", "code", "valeur"])?;
        for rejection in self.rejected() {
            writer.write_record([
                rejection.line.to_string().as_str(),
                rejection.field.map_or("ligne", |field| field.label()),
                rejection.reason.to_string().as_str(),
                rejection.reason.code(),
                rejection.value.as_str(),
            ])?;
        }
        writer.flush()
    }
}
