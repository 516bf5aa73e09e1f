//! What the caller (the server) hands over for each interview, and the build options.
//!
//! Plain data on purpose: the server fills it from its tables. There is no field for a phone
//! number, and the preload is only used to recompute the route; its personal fields are never
//! exported.

use questionnaire::date::Date;
use questionnaire::{Preload, Record};
use serde::Serialize;

use crate::dataset::Timestamp;

/// Where an interview stands; which ones are exported is chosen in [`BuildOptions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Completed interview: always exported.
    Completed,
    /// Broken off or still in progress: exported with `include_partial`.
    Partial,
    /// Screened out (eligibility rule or full quota): exported with `include_screened_out`.
    ScreenedOut,
}

/// The final AAPOR disposition, as the server codes it (e.g. `1.1`, « Entretien complet »).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disposition {
    /// AAPOR code, written as text (`1.1`, `2.112`: codes are not decimals).
    pub code: String,
    /// French label.
    pub label: String,
}

/// One interview of the wave.
#[derive(Debug, Clone)]
pub struct InterviewInput {
    /// Stable key of the case in the server (e.g. the sample record's id); only its keyed hash
    /// is exported.
    pub case_key: String,
    /// Completed, partial or screened out.
    pub status: CaseStatus,
    /// The sample record's preload fields, to recompute the route (filters and computed
    /// variables may use them). Personal fields are never exported; the others only with
    /// [`BuildOptions::include_preload`].
    pub preload: Preload,
    /// The interview record (answers, seed, quota decision).
    pub record: Record,
    /// INSEE code of the respondent's commune when known outside the questionnaire (sample
    /// file); the answer to [`BuildOptions::commune_variable`] takes precedence.
    pub commune: Option<String>,
    /// Quota cell of the respondent as the quota service names it.
    pub quota_cell: Option<String>,
    /// Final disposition.
    pub disposition: Disposition,
    /// Date of the interview (of its last contact for partial ones).
    pub interview_date: Option<Date>,
    /// Length of the interview in seconds.
    pub duration_seconds: Option<u32>,
    /// Number of call attempts made on the case.
    pub call_attempts: u32,
    /// Interviewer's stable identifier in the server (login or id); only its keyed hash is
    /// exported.
    pub interviewer: Option<String>,
}

/// What to build.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuildOptions {
    /// Wave identifier (`2026-1`), written in the manifest and used by [`super::stack`].
    pub wave: String,
    /// Creation time written in the files (the wave's last data change, never the clock).
    #[serde(skip)]
    pub created: Timestamp,
    /// Also export broken-off and in-progress interviews.
    pub include_partial: bool,
    /// Also export screened-out respondents.
    pub include_screened_out: bool,
    /// Also export the preload fields not marked personal (as text columns named after them).
    pub include_preload: bool,
    /// Preload fields flagged personal outside the questionnaire (when the sample was loaded):
    /// never exported either.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub personal_preload: Vec<String>,
    /// Questionnaire variable holding the commune's INSEE code (`COMMUNE`), if any.
    pub commune_variable: Option<String>,
    /// The communes of the survey area: INSEE code and name (value labels of the commune
    /// column, domains of the indicator table).
    #[serde(skip)]
    pub communes: Vec<(String, String)>,
}

impl BuildOptions {
    /// Completed interviews only, no preload, no commune list.
    pub fn new(wave: &str, created: Timestamp) -> Self {
        Self {
            wave: wave.to_owned(),
            created,
            include_partial: false,
            include_screened_out: false,
            include_preload: false,
            personal_preload: Vec::new(),
            commune_variable: None,
            communes: Vec::new(),
        }
    }

    /// Whether interviews with `status` are exported.
    pub fn includes(&self, status: CaseStatus) -> bool {
        match status {
            CaseStatus::Completed => true,
            CaseStatus::Partial => self.include_partial,
            CaseStatus::ScreenedOut => self.include_screened_out,
        }
    }
}
