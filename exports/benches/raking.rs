//! Raking 1,000,000 synthetic respondents: four one-way margins (commune 28, sex 2, age band 5,
//! diploma 6), then a crossed commune × sex margin with age and diploma. Prints the median of
//! several runs, and, when available, `survey::rake` (R) and a plain NumPy IPF on the same data.
//!
//! Run with `cargo bench -p exports --bench raking`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use exports::weighting::{Margin, Method, Options, Respondents, weight};

const RESPONDENTS: usize = 1_000_000;
const RUNS: usize = 7;
const POPULATION: f64 = 850_000.0;
const SIZES: [usize; 4] = [28, 2, 5, 6];
const NAMES: [&str; 4] = ["commune", "sexe", "age", "diplome"];

/// Deterministic generator (SplitMix64) so every run rakes the same data.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Index drawn with probabilities proportional to `weights`.
    fn draw(&mut self, weights: &[f64]) -> u32 {
        let total: f64 = weights.iter().sum();
        let mut u = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if u < *w {
                return i as u32;
            }
            u -= w;
        }
        (weights.len() - 1) as u32
    }
}

/// Synthetic population shares: `1 + tilt × (a permutation of 0..1)`.
fn shares(size: usize, tilt: f64) -> Vec<f64> {
    (0..size)
        .map(|i| 1.0 + tilt * ((i * 7 % size) as f64 / size as f64))
        .collect()
}

fn normalised(weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    weights.iter().map(|w| w / total).collect()
}

fn labels(variable: usize) -> Vec<String> {
    (0..SIZES[variable])
        .map(|i| format!("{}{:02}", &NAMES[variable][..1], i + 1))
        .collect()
}

fn generate() -> (Respondents, Vec<Vec<u32>>) {
    let mut rng = SplitMix(20_261_123);
    let mut codes: Vec<Vec<u32>> = (0..4).map(|_| Vec::with_capacity(RESPONDENTS)).collect();
    // Each variable's distribution depends on the previous one (sex on commune, age on sex,
    // diploma on age), so that margins interact and IPF needs several sweeps.
    let conditional: Vec<Vec<Vec<f64>>> = SIZES
        .iter()
        .enumerate()
        .map(|(v, &size)| {
            let previous = if v == 0 { 1 } else { SIZES[v - 1] };
            (0..previous)
                .map(|p| {
                    (0..size)
                        .map(|i| 1.0 + 3.0 * (((i + 2 * p) * 7 % size) as f64 / size as f64))
                        .collect()
                })
                .collect()
        })
        .collect();
    for _ in 0..RESPONDENTS {
        let mut previous = 0;
        for (variable, weights) in conditional.iter().enumerate() {
            let code = rng.draw(&weights[previous]);
            codes[variable].push(code);
            previous = code as usize;
        }
    }
    let mut respondents = Respondents::new(RESPONDENTS);
    for (variable, column) in codes.iter().enumerate() {
        respondents
            .add_coded_variable(NAMES[variable], labels(variable), column.clone())
            .expect("generated codes are valid");
    }
    (respondents, codes)
}

fn one_way_margins() -> Vec<Margin> {
    (0..4)
        .map(|variable| {
            let population = normalised(&shares(SIZES[variable], 1.0));
            Margin::one_way(
                NAMES[variable],
                labels(variable)
                    .into_iter()
                    .zip(population.iter().map(|p| p * POPULATION)),
            )
        })
        .collect()
}

/// Commune × sex with a sex ratio varying by commune, plus age and diploma.
fn crossed_margins() -> Vec<Margin> {
    let communes = normalised(&shares(28, 1.0));
    let mut targets = Vec::new();
    for (c, commune) in labels(0).into_iter().enumerate() {
        let women = 0.5 + 0.04 * ((c % 5) as f64 - 2.0);
        for (s, sex) in labels(1).into_iter().enumerate() {
            let share = if s == 0 { women } else { 1.0 - women };
            targets.push((vec![commune.clone(), sex], communes[c] * share * POPULATION));
        }
    }
    let mut margins = vec![Margin::crossed(
        vec!["commune".to_owned(), "sexe".to_owned()],
        targets,
    )];
    margins.extend(one_way_margins().into_iter().skip(2));
    margins
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn time_rust(respondents: &Respondents, margins: &[Margin]) -> (f64, usize) {
    let options = Options::new(Method::Raking);
    let mut times = Vec::with_capacity(RUNS);
    let mut iterations = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let weighting = weight(respondents, margins, &options).expect("raking converges");
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        iterations = weighting.diagnostics.iterations;
    }
    (median(times), iterations)
}

fn write_inputs(
    dir: &Path,
    codes: &[Vec<u32>],
    scenarios: &[(&str, Vec<Margin>)],
) -> std::io::Result<()> {
    let names: Vec<Vec<String>> = (0..4).map(labels).collect();
    let mut out = BufWriter::new(File::create(dir.join("respondents.csv"))?);
    writeln!(out, "id,{}", NAMES.join(","))?;
    for row in 0..RESPONDENTS {
        write!(out, "{}", row + 1)?;
        for (labels, column) in names.iter().zip(codes) {
            write!(out, ",{}", labels[column[row] as usize])?;
        }
        writeln!(out)?;
    }
    out.flush()?;
    for (name, margins) in scenarios {
        let mut out = BufWriter::new(File::create(dir.join(format!("margins_{name}.csv")))?);
        writeln!(out, "variable,category,target_total")?;
        for margin in margins {
            for (parts, total) in margin.targets() {
                writeln!(out, "{},{},{}", margin.name(), parts.join(":"), total)?;
            }
        }
        out.flush()?;
    }
    Ok(())
}

/// Runs an external timing script; it prints `ms=<milliseconds>` lines, one per margins file.
fn external(program: &str, args: &[&str]) -> Vec<String> {
    match Command::new(program).args(args).output() {
        Ok(output) if output.status.success() => String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("ms="))
            .map(|ms| format!("{ms} ms"))
            .collect(),
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let reason = stderr.lines().last().unwrap_or("failed").to_owned();
            vec![format!("not available ({reason})"); 2]
        }
        Err(_) => vec![format!("not available ({program} not found)"); 2],
    }
}

fn main() {
    let scripts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/weighting");
    println!("generating {RESPONDENTS} respondents…");
    let (respondents, codes) = generate();
    let scenarios = [
        ("oneway", one_way_margins()),
        ("crossed", crossed_margins()),
    ];
    let mut rust = Vec::new();
    for (name, margins) in &scenarios {
        let (ms, iterations) = time_rust(&respondents, margins);
        println!(
            "rust raking, {name}: median {ms:.2} ms over {RUNS} runs ({iterations} IPF sweeps)"
        );
        rust.push(format!("{ms:.2} ms"));
    }

    let dir = std::env::temp_dir().join(format!("cati-raking-bench-{}", std::process::id()));
    let (r, numpy) =
        match std::fs::create_dir_all(&dir).and_then(|()| write_inputs(&dir, &codes, &scenarios)) {
            Ok(()) => {
                let data = dir.join("respondents.csv");
                let files: Vec<PathBuf> = ["oneway", "crossed"]
                    .iter()
                    .map(|n| dir.join(format!("margins_{n}.csv")))
                    .collect();
                let mut args = vec![data.to_string_lossy().into_owned()];
                args.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
                let r_script = scripts.join("bench_rake.R").to_string_lossy().into_owned();
                let py_script = scripts.join("ipf_numpy.py").to_string_lossy().into_owned();
                let mut r_args = vec![r_script.as_str()];
                r_args.extend(args.iter().map(String::as_str));
                let mut py_args = vec![py_script.as_str()];
                py_args.extend(args.iter().map(String::as_str));
                println!("timing survey::rake (R)…");
                let r = external("Rscript", &r_args);
                println!("timing NumPy IPF…");
                let numpy = external("python3", &py_args);
                (r, numpy)
            }
            Err(e) => (
                vec![format!("not available ({e})"); 2],
                vec![format!("not available ({e})"); 2],
            ),
        };
    let _ = std::fs::remove_dir_all(&dir);

    println!();
    println!(
        "{:<34} {:>16} {:>40} {:>24}",
        "scenario (1,000,000 respondents)", "rust (cells)", "R survey::rake", "NumPy IPF"
    );
    for (i, (name, _)) in scenarios.iter().enumerate() {
        let get = |v: &Vec<String>| {
            v.get(i)
                .cloned()
                .unwrap_or_else(|| "not available".to_owned())
        };
        println!(
            "{:<34} {:>16} {:>40} {:>24}",
            name,
            rust[i],
            get(&r),
            get(&numpy)
        );
    }
}
