//! `cargo bench -p exports --bench sav`: writes a 1,000,000 × 60 `.sav` (55 labelled codes with
//! declared missing values, 2 decimals, 3 strings, one of them very long) with our writer, then
//! times `pyreadstat.write_sav` on the same data (read from a Parquet copy by
//! `scripts/bench/pyreadstat_write_sav.py`) and prints both side by side.
//! Set `SAV_BENCH_ROWS` to change the row count.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use exports::dataset::{Dataset, DatasetInfo, Timestamp, Value, Variable};
use exports::writers::parquet::write_parquet;
use exports::writers::sav::{SavCompression, SavOptions, write_sav};

const CODED: usize = 55;
const RUNS: usize = 3;

fn variables() -> Vec<Variable> {
    let mut vars: Vec<Variable> = (1..=CODED)
        .map(|i| {
            Variable::integer(&format!("q{i}"), &format!("Question {i} — réponse codée"))
                .with_value_labels([
                    (1, "Tout à fait d'accord"),
                    (2, "Plutôt d'accord"),
                    (3, "Plutôt pas d'accord"),
                    (4, "Pas du tout d'accord"),
                    (5, "Sans opinion"),
                    (98, "Ne sait pas"),
                    (99, "Refus"),
                ])
                .with_missing_values([98, 99])
        })
        .collect();
    vars.push(Variable::decimal("score", "Score composite", 2));
    vars.push(Variable::decimal("poids", "Poids de redressement", 6).as_weight());
    vars.push(Variable::text("commune_nom", "Commune", 32));
    vars.push(Variable::text("profession", "Profession (libellé)", 64));
    vars.push(Variable::text("commentaire", "Commentaire libre", 300));
    vars
}

/// A deterministic 64-bit linear congruential generator (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn dataset(rows: usize) -> Dataset {
    let info = DatasetInfo {
        name: "bench".into(),
        title: "Banc d'essai SAV".into(),
        created: Timestamp::new(2026, 11, 23, 9, 0, 0).expect("valid timestamp"),
        notes: vec![],
    };
    let mut d = Dataset::new(info, variables()).expect("valid dictionary");
    let communes = [
        "Bordeaux",
        "Mérignac",
        "Pessac",
        "Talence",
        "Bègles",
        "Villenave-d'Ornon",
    ];
    let jobs = [
        "Employé·e",
        "Cadre",
        "Retraité·e",
        "Étudiant·e",
        "Ouvrier·ère",
        "Sans emploi",
    ];
    let mut rng = Lcg(42);
    for i in 0..rows {
        let mut row = Vec::with_capacity(60);
        for _ in 0..CODED {
            let r = rng.next() % 100;
            row.push(match r {
                0..=3 => Value::Missing,
                4..=6 => Value::Number(98.0),
                7..=8 => Value::Number(99.0),
                _ => Value::Number((r % 5 + 1) as f64),
            });
        }
        row.push(Value::Number((rng.next() % 10_000) as f64 / 100.0 - 50.0));
        row.push(Value::Number(
            0.2 + (rng.next() % 1_000_000) as f64 / 250_000.0,
        ));
        row.push(Value::Text(communes[i % communes.len()].into()));
        row.push(Value::Text(jobs[(i / 7) % jobs.len()].into()));
        row.push(if i % 10 == 0 {
            Value::Text(
                format!("Réponse {i} : l'accès aux démarches en ligne reste difficile. ").repeat(3),
            )
        } else {
            Value::Missing
        });
        d.push_row(row).expect("valid row");
    }
    d
}

fn time_ours(d: &Dataset, path: &Path, compression: SavCompression) -> (Duration, u64) {
    let options = SavOptions {
        compression,
        weight_in_header: false,
    };
    let mut best = Duration::MAX;
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = BufWriter::with_capacity(1 << 20, File::create(path).expect("create"));
        write_sav(d, &options, out).expect("write sav");
        best = best.min(start.elapsed());
    }
    (best, std::fs::metadata(path).expect("metadata").len())
}

fn main() {
    let rows: usize = std::env::var("SAV_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temporary directory");
    let start = Instant::now();
    let d = dataset(rows);
    println!(
        "dataset: {rows} rows x {} variables built in {:.2} s",
        d.variables().len(),
        start.elapsed().as_secs_f64()
    );
    println!("best of {RUNS} runs, wall clock, output to a temporary file:");
    for (name, compression) in [
        ("bytecode", SavCompression::Bytecode),
        ("uncompressed", SavCompression::None),
    ] {
        let path = dir.path().join(format!("ours-{name}.sav"));
        let (time, bytes) = time_ours(&d, &path, compression);
        println!(
            "  cati write_sav       {name:<13} {:>7.3} s  {:>7.1} MB",
            time.as_secs_f64(),
            bytes as f64 / 1e6
        );
    }
    let parquet = dir.path().join("data.parquet");
    write_parquet(&d, BufWriter::new(File::create(&parquet).expect("create"))).expect("parquet");
    drop(d);
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench/pyreadstat_write_sav.py");
    let status = Command::new("python3")
        .arg(script)
        .arg(&parquet)
        .arg(dir.path())
        .arg(RUNS.to_string())
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            println!("  pyreadstat comparison failed ({s}): pip install pyreadstat pandas pyarrow")
        }
        Err(e) => println!("  pyreadstat comparison not run ({e}): install python3"),
    }
}
