//! Allocation of N interviews to communes and cells: exact totals, minimums, proportionality
//! within one interview, determinism; and a plan on the real 2023 legal populations.

use proptest::prelude::*;
use quotas::{
    CommunePopulation, Design, DesignOptions, Layout, Minimum, Plan, PlanError, PlanRequest,
    Structure, Weight, allocate, largest_remainder, parse_populations, plan,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Whether `part` is the floor or the ceiling of `total × weight / sum`.
fn within_one(part: u64, total: u64, weight: u128, sum: u128) -> bool {
    let exact = u128::from(total) * weight;
    let floor = exact / sum;
    let part = u128::from(part);
    part == floor || (!exact.is_multiple_of(sum) && part == floor + 1)
}

fn communes(populations: &[u64]) -> Vec<CommunePopulation> {
    populations
        .iter()
        .enumerate()
        .map(|(i, &population)| CommunePopulation {
            code: format!("{}", 33001 + i),
            name: format!("Commune {i}"),
            population,
        })
        .collect()
}

fn request(total: u64, minimum: Minimum) -> PlanRequest<'static> {
    PlanRequest {
        total,
        minimum,
        structure: None,
        layout: Layout::Crossed,
    }
}

fn populations_strategy() -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(0u64..2_000_000, 1..40)
        .prop_filter("some population", |p| p.iter().any(|x| *x > 0))
}

proptest! {
    #[test]
    fn largest_remainder_preserves_the_total_and_stays_within_one(
        total in 0u64..100_000,
        weights in prop::collection::vec(0u128..10_000_000, 1..50),
    ) {
        prop_assume!(weights.iter().any(|w| *w > 0));
        let parts = largest_remainder(total, &weights).expect("shareable");
        let sum: u128 = weights.iter().sum();
        prop_assert_eq!(parts.iter().sum::<u64>(), total);
        for (part, weight) in parts.iter().zip(&weights) {
            prop_assert!(within_one(*part, total, *weight, sum));
        }
    }

    #[test]
    fn proportional_allocation_sums_to_n_and_each_commune_is_within_one_of_its_quota(
        populations in populations_strategy(),
        total in 1u64..20_000,
    ) {
        let allocation = allocate(&populations, total, Minimum::None).expect("allocatable");
        let sum: u128 = populations.iter().map(|p| u128::from(*p)).sum();
        prop_assert_eq!(allocation.targets.iter().sum::<u64>(), total);
        for (target, population) in allocation.targets.iter().zip(&populations) {
            prop_assert!(within_one(*target, total, u128::from(*population), sum));
        }
    }

    #[test]
    fn base_minimum_gives_every_commune_the_base_plus_its_share_of_the_rest(
        populations in populations_strategy(),
        total in 1u64..20_000,
        minimum in 0u64..200,
    ) {
        let n = populations.len() as u64;
        prop_assume!(n * minimum <= total);
        let allocation = allocate(&populations, total, Minimum::Base(minimum)).expect("allocatable");
        let sum: u128 = populations.iter().map(|p| u128::from(*p)).sum();
        prop_assert_eq!(allocation.targets.iter().sum::<u64>(), total);
        for (target, population) in allocation.targets.iter().zip(&populations) {
            prop_assert!(*target >= minimum);
            prop_assert!(within_one(target - minimum, total - n * minimum, u128::from(*population), sum));
        }
    }

    #[test]
    fn floor_minimum_raises_small_communes_and_shares_the_rest_proportionally(
        populations in populations_strategy(),
        total in 1u64..20_000,
        minimum in 0u64..200,
    ) {
        let n = populations.len() as u64;
        prop_assume!(n * minimum <= total);
        let allocation = allocate(&populations, total, Minimum::Floor(minimum)).expect("allocatable");
        prop_assert_eq!(allocation.targets.iter().sum::<u64>(), total);
        let raised = allocation.raised.iter().filter(|r| **r).count() as u64;
        let rest = total - raised * minimum;
        let free: u128 = populations
            .iter()
            .zip(&allocation.raised)
            .filter(|(_, r)| !**r)
            .map(|(p, _)| u128::from(*p))
            .sum();
        for ((target, population), raised) in allocation.targets.iter().zip(&populations).zip(&allocation.raised) {
            prop_assert!(*target >= minimum);
            if *raised {
                prop_assert_eq!(*target, minimum);
                // Raised exactly when its proportional share of what is left is below the
                // minimum.
                prop_assert!(free == 0 || u128::from(rest) * u128::from(*population) < u128::from(minimum) * free);
            } else {
                prop_assert!(u128::from(rest) * u128::from(*population) >= u128::from(minimum) * free);
                prop_assert!(within_one(*target, rest, u128::from(*population), free));
            }
        }
    }

    #[test]
    fn plan_is_deterministic_and_ignores_input_order(
        populations in populations_strategy(),
        total in 1u64..20_000,
        minimum in 0u64..100,
    ) {
        prop_assume!(populations.len() as u64 * minimum <= total);
        let forward = communes(&populations);
        let mut backward = forward.clone();
        backward.reverse();
        let req = request(total, Minimum::Floor(minimum));
        let first = plan(&forward, &req).expect("plannable");
        prop_assert_eq!(&first, &plan(&forward, &req).expect("plannable"));
        prop_assert_eq!(&first, &plan(&backward, &req).expect("plannable"));
    }

    #[test]
    fn cells_of_each_commune_sum_to_its_target_in_every_margin(
        populations in prop::collection::vec(1u64..500_000, 1..8),
        weights in prop::collection::vec(1u64..100_000, 80),
        total in 1u64..5_000,
        marginal in any::<bool>(),
    ) {
        let list = communes(&populations);
        let entries = list.iter().enumerate().flat_map(|(c, commune)| {
            let weights = &weights;
            (1..=2).flat_map(move |sexe| (1..=5).map(move |band| {
                let w = weights[(c * 10 + (sexe as usize - 1) * 5 + band as usize - 1) % weights.len()];
                (commune.code.clone(), sexe, band, Weight::from_units(w))
            }))
        });
        let structure = Structure::from_entries(entries);
        let layout = if marginal { Layout::Marginal } else { Layout::Crossed };
        let req = PlanRequest { total, minimum: Minimum::None, structure: Some(&structure), layout };
        let plan = plan(&list, &req).expect("plannable");
        for commune in &plan.communes {
            let cells: Vec<_> = plan.cells.iter().filter(|c| c.code == commune.code).collect();
            let sexes = cells.iter().filter(|c| c.sexe.is_some() && (!marginal || c.age_band.is_none()));
            let bands = cells.iter().filter(|c| c.age_band.is_some() && (!marginal || c.sexe.is_none()));
            prop_assert_eq!(sexes.map(|c| c.target).sum::<u64>(), commune.target);
            prop_assert_eq!(bands.map(|c| c.target).sum::<u64>(), commune.target);
            prop_assert_eq!(cells.len(), if marginal { 7 } else { 10 });
        }
        let design = plan.to_design(&DesignOptions::default()).expect("valid design");
        for margin in design.margins() {
            prop_assert_eq!(margin.cells.iter().map(|c| c.target).sum::<u64>(), total);
        }
        prop_assert_eq!(Design::from_toml(&design.to_toml()).expect("readable"), design);
    }
}

#[test]
fn worked_example_of_the_documentation() {
    // docs/quotas.md, "Worked example": N = 50 over populations 4 000, 3 500, 1 700, 800.
    let populations = [4_000, 3_500, 1_700, 800];
    let proportional = allocate(&populations, 50, Minimum::None).expect("allocatable");
    assert_eq!(proportional.targets, [20, 18, 8, 4]);
    let floor = allocate(&populations, 50, Minimum::Floor(5)).expect("allocatable");
    assert_eq!(floor.targets, [20, 17, 8, 5]);
    assert_eq!(floor.raised, [false, false, false, true]);
    let base = allocate(&populations, 50, Minimum::Base(5)).expect("allocatable");
    assert_eq!(base.targets, [17, 16, 10, 7]);

    // One commune with a target of 18 and the structure H1 300, H2 600, F1 310, F2 790.
    let commune = communes(&[3_500]);
    let structure = Structure::parse(
        "code_commune,sexe,age_band,population\n33001,1,1,300\n33001,1,2,600\n33001,2,1,310\n33001,2,2,790\n",
    )
    .expect("readable");
    let targets = |layout| {
        let req = PlanRequest {
            total: 18,
            minimum: Minimum::None,
            structure: Some(&structure),
            layout,
        };
        plan(&commune, &req)
            .expect("plannable")
            .cells
            .iter()
            .map(|c| c.target)
            .collect::<Vec<_>>()
    };
    assert_eq!(targets(Layout::Crossed), [3, 5, 3, 7]);
    assert_eq!(targets(Layout::Marginal), [8, 10, 5, 13]);
}

#[test]
fn too_small_n_for_the_minimum_is_refused() {
    let error = allocate(&[10, 20, 30], 29, Minimum::Floor(10)).expect_err("too small");
    assert_eq!(
        error,
        PlanError::TooSmall {
            total: 29,
            communes: 3,
            minimum: 10
        }
    );
    assert_eq!(
        error.to_string(),
        "N = 29 is less than 3 communes × minimum 10"
    );
}

#[test]
fn empty_or_zero_populations_are_refused() {
    assert_eq!(allocate(&[], 10, Minimum::None), Err(PlanError::NoCommune));
    assert_eq!(
        allocate(&[0, 0], 10, Minimum::None),
        Err(PlanError::ZeroPopulation)
    );
    assert_eq!(allocate(&[5], 0, Minimum::None), Err(PlanError::ZeroTotal));
}

#[test]
fn duplicate_commune_is_refused() {
    let mut list = communes(&[10, 20]);
    list[1].code = list[0].code.clone();
    assert_eq!(
        plan(&list, &request(10, Minimum::None)),
        Err(PlanError::DuplicateCommune("33001".into()))
    );
}

#[test]
fn structure_must_cover_every_commune_and_cell() {
    let list = communes(&[10, 20]);
    let structure = Structure::parse(
        "code_commune,sexe,age_band,population\n33001,1,1,5\n33001,2,1,5\n33002,1,1,5\n",
    )
    .expect("readable");
    let req = PlanRequest {
        total: 10,
        minimum: Minimum::None,
        structure: Some(&structure),
        layout: Layout::Crossed,
    };
    assert_eq!(
        plan(&list, &req),
        Err(PlanError::IncompleteStructure {
            code: "33002".into(),
            sexe: 2,
            age_band: 1
        })
    );
    let extra = Structure::parse(
        "code_commune,sexe,age_band,population\n33001,1,1,5\n33002,1,1,5\n33999,1,1,5\n",
    )
    .expect("readable");
    let req = PlanRequest {
        structure: Some(&extra),
        ..req
    };
    assert_eq!(
        plan(&list, &req).map_err(|e| e.to_string()),
        Err("line 4: commune 33999 of the structure file is not among the communes planned".into())
    );
    let zero =
        Structure::parse("code_commune,sexe,age_band,population\n33001,1,1,5\n33002,1,1,0\n")
            .expect("readable");
    let req = PlanRequest {
        structure: Some(&zero),
        ..req
    };
    assert!(matches!(
        plan(&list, &req),
        Err(PlanError::ZeroStructure { .. })
    ));
}

#[test]
fn plan_prints_commune_and_cell_csv() {
    let list = communes(&[300, 100]);
    let structure = Structure::parse(
        "code_commune,sexe,age_band,population\n\
         33001,1,1,100\n33001,1,2,50\n33001,2,1,100\n33001,2,2,50\n\
         33002,1,1,30\n33002,1,2,20\n33002,2,1,30\n33002,2,2,20\n",
    )
    .expect("readable");
    let without = plan(&list, &request(40, Minimum::None)).expect("plannable");
    assert_eq!(
        without.to_csv(),
        "code_commune,nom_commune,population,share,target\n\
         33001,Commune 0,300,0.750000,30\n33002,Commune 1,100,0.250000,10\n"
    );
    let req = PlanRequest {
        total: 40,
        minimum: Minimum::None,
        structure: Some(&structure),
        layout: Layout::Marginal,
    };
    let with = plan(&list, &req).expect("plannable");
    assert_eq!(
        with.to_csv(),
        "code_commune,nom_commune,sexe,age_band,population,share,target\n\
         33001,Commune 0,1,,150,0.500000,15\n33001,Commune 0,2,,150,0.500000,15\n\
         33001,Commune 0,,1,200,0.666667,20\n33001,Commune 0,,2,100,0.333333,10\n\
         33002,Commune 1,1,,50,0.500000,5\n33002,Commune 1,2,,50,0.500000,5\n\
         33002,Commune 1,,1,60,0.600000,6\n33002,Commune 1,,2,40,0.400000,4\n"
    );
}

fn shared_data(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the reference data {} is required by this test and could not be read ({e}); \
             the shared folder must sit next to the workspace (../shared/data)",
            path.display()
        )
    })
}

fn real_2023() -> Vec<CommunePopulation> {
    parse_populations(&shared_data("bm_populations_legales.csv"), "2023").expect("2023 populations")
}

#[test]
fn real_2023_populations_plan_5000_interviews_exactly() {
    let populations = real_2023();
    assert_eq!(populations.len(), 28);
    assert_eq!(
        populations.iter().map(|c| c.population).sum::<u64>(),
        854_334
    );
    let plan: Plan = plan(&populations, &request(5000, Minimum::None)).expect("plannable");
    assert_eq!(plan.communes.iter().map(|c| c.target).sum::<u64>(), 5000);
    for commune in &plan.communes {
        assert!(
            within_one(
                commune.target,
                5000,
                u128::from(commune.population),
                854_334
            ),
            "{commune:?}"
        );
    }
    let bordeaux = plan
        .communes
        .iter()
        .find(|c| c.code == "33063")
        .expect("Bordeaux");
    // 5000 × 267 991 / 854 334 = 1568.42…
    assert_eq!(bordeaux.population, 267_991);
    assert_eq!(bordeaux.target, 1568);
    // The commune list and the populations agree.
    let list = shared_data("bm_communes.csv");
    for commune in &plan.communes {
        assert!(
            list.contains(&format!("\n{},{},", commune.code, commune.name)),
            "{} not in bm_communes.csv",
            commune.code
        );
    }
}

#[test]
fn real_2023_populations_with_a_minimum_of_50_raise_only_small_communes() {
    let populations = real_2023();
    let plan = plan(&populations, &request(5000, Minimum::Floor(50))).expect("plannable");
    assert_eq!(plan.communes.iter().map(|c| c.target).sum::<u64>(), 5000);
    let raised: BTreeMap<&str, u64> = plan
        .communes
        .iter()
        .filter(|c| c.raised)
        .map(|c| (c.code.as_str(), c.target))
        .collect();
    assert!(!raised.is_empty());
    assert!(raised.values().all(|t| *t == 50));
    assert!(plan.communes.iter().all(|c| c.target >= 50));
    let design = plan
        .to_design(&DesignOptions::default())
        .expect("valid design");
    assert_eq!(design.cells().count(), 28);
    assert_eq!(
        Design::from_toml(&design.to_toml()).expect("readable"),
        design
    );
}

#[test]
fn missing_vintage_in_the_real_file_lists_the_vintages() {
    let error =
        parse_populations(&shared_data("bm_populations_legales.csv"), "2024").expect_err("no 2024");
    assert_eq!(
        error.to_string(),
        "aucune population pour le millésime « 2024 » ; millésimes du fichier : 2019, 2020, 2021, \
         2022, 2023"
    );
}
