//! Figures for the quota crate on a design the size of the observatory's: 28 communes ×
//! 2 sexes × 5 age bands = 280 crossed cells, N = 5 000. Populations and structure are
//! synthetic (the census structure is not shipped); only sizes matter here.
//! Run with `cargo bench -p quotas`.

use quotas::{
    CellStatus, CommunePopulation, Decision, Design, DesignOptions, Layout, Minimum, PlanRequest,
    Structure, Weight, decide, plan, progress_by,
};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

fn communes() -> Vec<CommunePopulation> {
    (0..28u64)
        .map(|i| CommunePopulation {
            code: (33001 + i * 17).to_string(),
            name: format!("Commune {i}"),
            population: 1_000 + (i * 7_919) % 90_000 + if i == 3 { 260_000 } else { 0 },
        })
        .collect()
}

fn structure(communes: &[CommunePopulation]) -> Structure {
    Structure::from_entries(communes.iter().enumerate().flat_map(|(c, commune)| {
        (1..=2i64).flat_map(move |sexe| {
            (1..=5i64).map(move |band| {
                let weight = 50 + ((c as i64 * 31 + sexe * 7 + band * 13) % 40) as u64;
                (commune.code.clone(), sexe, band, Weight::from_units(weight))
            })
        })
    }))
}

fn time<T>(label: &str, iterations: u32, mut f: impl FnMut() -> T) {
    let start = Instant::now();
    for _ in 0..iterations {
        black_box(f());
    }
    let per = start.elapsed() / iterations;
    println!("{label:<52} {per:>12.2?} per call ({iterations} calls)");
}

fn main() {
    let communes = communes();
    let structure = structure(&communes);
    let crossed = PlanRequest {
        total: 5_000,
        minimum: Minimum::Floor(50),
        structure: Some(&structure),
        layout: Layout::Crossed,
    };
    time("plan N=5000, 28 communes, 280 crossed cells", 500, || {
        plan(&communes, &crossed)
    });
    let planned = match plan(&communes, &crossed) {
        Ok(planned) => planned,
        Err(e) => return eprintln!("plan failed: {e}"),
    };
    let design = match planned.to_design(&DesignOptions::default()) {
        Ok(design) => design,
        Err(e) => return eprintln!("design failed: {e}"),
    };
    let text = design.to_toml();
    println!(
        "design file: {} cells, {} lines, {} bytes",
        design.cells().count(),
        text.lines().count(),
        text.len()
    );
    time("write the 280-cell design file", 500, || design.to_toml());
    time("read and validate the 280-cell design file", 200, || {
        Design::from_toml(&text)
    });

    let statuses: BTreeMap<String, CellStatus> = design
        .cells()
        .enumerate()
        .map(|(i, cell)| {
            let achieved = cell.target.saturating_sub(1 + (i as u64 % 3));
            (
                cell.key.to_string(),
                CellStatus::new(cell, achieved, i as u64 % 2),
            )
        })
        .collect();
    let respondents: Vec<BTreeMap<String, i64>> = (0..1_000i64)
        .map(|i| {
            let commune = &communes[(i % 28) as usize];
            BTreeMap::from([
                ("COMMUNE".to_owned(), commune.code.parse().unwrap_or(0)),
                ("SEXE".to_owned(), 1 + i % 2),
                ("AGE".to_owned(), 15 + (i * 7) % 80),
            ])
        })
        .collect();
    let mut accepted = 0;
    let start = Instant::now();
    for respondent in &respondents {
        let Ok(cells) = design.match_cells(respondent) else {
            continue;
        };
        let states: Vec<CellStatus> = cells
            .iter()
            .filter_map(|c| statuses.get(&c.key.to_string()).cloned())
            .collect();
        if decide(&states) == Decision::Accept {
            accepted += 1;
        }
    }
    let per = start.elapsed() / respondents.len() as u32;
    println!(
        "{:<52} {per:>12.2?} per respondent ({accepted}/1000 accepted)",
        "match cells + decide"
    );
    let all: Vec<CellStatus> = statuses.into_values().collect();
    time("progress of the 28 communes over 280 cells", 500, || {
        progress_by(&all, "commune")
    });
}
