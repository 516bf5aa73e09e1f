//! `cati bench import`: loads a generated phone list of `--rows` rows (CSV, `;`, five columns,
//! landlines and mobiles written several ways, communes by code and by name, about one row in
//! a hundred bad) into a new wave through the import service — reading, checking every number
//! with `phonenumber`, checking against the wave and the do-not-call list, storing in batches
//! — and prints the time, the rate and the process's peak memory.

use std::fmt::Write as _;
use std::time::Instant;

use crate::auth::Actor;
use crate::sample::communes::COMMUNES;
use crate::sample::demo::FIXTURE_QUESTIONNAIRE;
use crate::services::sample::{self, ImportOptions};
use crate::services::surveys::{self, NewSurvey, Upload};
use crate::services::waves::{self, WaveRequest};
use crate::store::Db;
use crate::store::surveys::WaveRow;

/// Options of `cati bench import`.
#[derive(Clone, Debug, clap::Args)]
pub struct ImportArgs {
    /// Nombre de lignes du fichier de numéros généré.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u32,
}

/// Loads the generated list into a new wave of the database at `url` and prints the figures.
pub(super) async fn measure(label: &str, url: &str, args: &ImportArgs) -> anyhow::Result<()> {
    let db = Db::connect(url, 4).await?;
    bench_wave(&db, "import").await?;
    let list = generated_list(args.rows);
    let started = Instant::now();
    let (imported, report) = sample::import(
        &db,
        Actor::Operator,
        "import",
        "liste.csv",
        list.as_bytes(),
        &ImportOptions::default(),
        &mut |_| {},
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{label:<10} {} rows ({:.1} MB) loaded in {elapsed:.1} s: {:.0} rows/s; {} cases stored, \
         {} rows refused; peak memory {}",
        args.rows,
        list.len() as f64 / 1e6,
        f64::from(args.rows) / elapsed,
        imported.imported,
        report.rejected().len(),
        peak_memory().unwrap_or_else(|| "unknown".to_owned())
    );
    db.close().await;
    Ok(())
}

/// A survey « banc » on the fixture questionnaire and its wave `name`, in preparation.
pub(super) async fn bench_wave(db: &Db, name: &str) -> anyhow::Result<WaveRow> {
    let refused = |e: crate::error::AppError| anyhow::anyhow!("{e}");
    let new = NewSurvey {
        name: "banc".to_owned(),
        title: None,
        description: String::new(),
        questionnaire: Some(Upload {
            file_name: "fixture.toml".to_owned(),
            source: FIXTURE_QUESTIONNAIRE.to_owned(),
            indicators: None,
        }),
    };
    surveys::create(db, Actor::Operator, &new)
        .await
        .map_err(refused)?;
    let request = WaveRequest {
        survey: "banc".to_owned(),
        name: name.to_owned(),
        ..WaveRequest::default()
    };
    Ok(waves::create(db, Actor::Operator, &request)
        .await
        .map_err(refused)?
        .wave)
}

/// A list of `rows` distinct numbers in Bordeaux's landline range and in mobile ranges, written
/// in five styles; every hundredth row is bad (a short number), every 250th repeats the
/// previous number.
pub(super) fn generated_list(rows: u32) -> String {
    let mut list = String::with_capacity(rows as usize * 48);
    list.push_str("id;telephone;commune;age;nom_contact\n");
    for i in 0..rows {
        let (code, name) = COMMUNES[i as usize % COMMUNES.len()];
        let n = if i % 250 == 249 { i - 1 } else { i };
        let digits = format!("{:08}", n % 100_000_000);
        let number = match i % 5 {
            0 => format!(
                "05 56 {} {} {}",
                &digits[2..4],
                &digits[4..6],
                &digits[6..8]
            ),
            1 => format!(
                "+33 6 {} {} {} {}",
                &digits[0..2],
                &digits[2..4],
                &digits[4..6],
                &digits[6..8]
            ),
            2 => format!("0557{}", &digits[2..8]),
            3 => format!(
                "07.5{}.{}.{}.{}",
                &digits[1..2],
                &digits[2..4],
                &digits[4..6],
                &digits[6..8]
            ),
            _ => format!(
                "0033 5 56 {}{}{}",
                &digits[2..4],
                &digits[4..6],
                &digits[6..8]
            ),
        };
        let number = if i % 100 == 99 {
            "0556 12".to_owned()
        } else {
            number
        };
        let commune = if i % 2 == 0 { code } else { name };
        let _ = writeln!(list, "R{i};{number};{commune};{};Nom {i}", 18 + i % 70);
    }
    list
}

/// The process's peak resident memory (Linux), e.g. `"312 MB"`.
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{} MB", kb / 1024))
}
