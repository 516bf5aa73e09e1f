//! A small survey dataset exercising every writer feature: French accents, a very long string
//! (> 255 bytes), declared missing codes (98 don't know, 99 refused), system-missing values,
//! 28 value labels on INSEE commune codes, a negative decimal and a weight.

use exports::dataset::{Dataset, DatasetInfo, Measure, Timestamp, Value, Variable};

pub const COMMUNES: [(i32, &str); 28] = [
    (33003, "Ambarès-et-Lagrave"),
    (33004, "Ambès"),
    (33013, "Artigues-près-Bordeaux"),
    (33032, "Bassens"),
    (33039, "Bègles"),
    (33056, "Blanquefort"),
    (33063, "Bordeaux"),
    (33065, "Bouliac"),
    (33069, "Le Bouscat"),
    (33075, "Bruges"),
    (33096, "Carbon-Blanc"),
    (33119, "Cenon"),
    (33162, "Eysines"),
    (33167, "Floirac"),
    (33192, "Gradignan"),
    (33200, "Le Haillan"),
    (33249, "Lormont"),
    (33273, "Martignas-sur-Jalle"),
    (33281, "Mérignac"),
    (33312, "Parempuyre"),
    (33318, "Pessac"),
    (33376, "Saint-Aubin-de-Médoc"),
    (33434, "Saint-Louis-de-Montferrand"),
    (33449, "Saint-Médard-en-Jalles"),
    (33487, "Saint-Vincent-de-Paul"),
    (33519, "Le Taillan-Médoc"),
    (33522, "Talence"),
    (33550, "Villenave-d'Ornon"),
];

pub const ROWS: usize = 40;

pub fn created() -> Timestamp {
    Timestamp::new(2026, 11, 23, 9, 5, 30).expect("valid timestamp")
}

pub fn variables() -> Vec<Variable> {
    vec![
        Variable::integer("id", "Identifiant du répondant").with_measure(Measure::Scale),
        Variable::integer("commune", "Commune de résidence")
            .with_value_labels(COMMUNES)
            .with_question("Dans quelle commune habitez-vous ?"),
        Variable::integer("usage_internet", "Usage d'internet")
            .with_value_labels([
                (1, "Oui, tous les jours"),
                (2, "Oui, parfois"),
                (3, "Jamais"),
                (98, "Ne sait pas"),
                (99, "Refus"),
            ])
            .with_missing_values([98, 99])
            .with_question(
                "Utilisez-vous internet, que ce soit à domicile, au travail ou ailleurs ?",
            ),
        Variable::integer("aisance", "Aisance avec le numérique")
            .with_measure(Measure::Ordinal)
            .with_value_labels([
                (1, "Très à l'aise"),
                (2, "Plutôt à l'aise"),
                (3, "Peu à l'aise"),
                (4, "Pas du tout à l'aise"),
                (99, "Refus"),
            ])
            .with_missing_values([99])
            .with_question("Diriez-vous que vous êtes à l'aise avec les outils numériques ?")
            .with_filter("usage_internet = 1 ou 2"),
        Variable::integer("age", "Âge en années révolues")
            .with_measure(Measure::Scale)
            .with_value_labels([(999, "Refus")])
            .with_missing_values([999]),
        Variable::decimal("ecart", "Écart à la moyenne (score)", 2),
        Variable::text("ville_autre", "Autre commune (précisez)", 40),
        Variable::text("commentaire", "Commentaire libre", 600)
            .with_question("Avez-vous un commentaire sur l'accès aux services publics en ligne ?"),
        Variable::decimal("poids", "Poids de redressement", 6).as_weight(),
    ]
}

pub fn info() -> DatasetInfo {
    DatasetInfo {
        name: "barometre-numerique-test".into(),
        title: "Baromètre des usages numériques — test".into(),
        created: created(),
        notes: vec![
            "Données de test générées pour vérifier les exports.".into(),
            "Codes 98 = ne sait pas, 99 = refus ; valeur vide = question non posée.".into(),
        ],
    }
}

/// Row `i` of the fixture, deterministic.
pub fn row(i: usize) -> Vec<Value> {
    let num = |v: f64| Value::Number(v);
    let commune = COMMUNES[(i * 5) % COMMUNES.len()].0;
    let usage = [1.0, 1.0, 2.0, 3.0, 98.0, 99.0, 1.0, 2.0][i % 8];
    let aisance = if usage == 1.0 || usage == 2.0 {
        num([1.0, 2.0, 3.0, 4.0, 99.0][i % 5])
    } else {
        Value::Missing
    };
    let age = match i % 13 {
        0 => num(999.0),
        5 => Value::Missing,
        k => num(18.0 + (k * 6) as f64),
    };
    let ecart = if i % 11 == 3 {
        Value::Missing
    } else {
        num((i as f64 - 20.0) * 0.25)
    };
    let ville = match i % 4 {
        0 => Value::Text("Saint-Émilion".into()),
        1 => Value::Missing,
        2 => Value::Text("Lège-Cap-Ferret ; « bassin », \"côte\"".into()),
        _ => Value::Text(String::new()),
    };
    let commentaire = match i % 5 {
        0 => Value::Text(format!(
            "Réponse n°{i} : très long texte — {}",
            "démarches en ligne difficiles, ".repeat(12)
        )),
        1 => Value::Text("Ligne 1\nLigne 2, avec virgule".into()),
        2 => Value::Missing,
        3 => Value::Text("Aucun problème particulier.".into()),
        _ => Value::Text("é".repeat(299)),
    };
    let poids = 0.5 + (i % 9) as f64 * 0.137_5;
    vec![
        num(i as f64 + 1.0),
        num(f64::from(commune)),
        num(usage),
        aisance,
        age,
        ecart,
        ville,
        commentaire,
        num(poids),
    ]
}

pub fn dataset() -> Dataset {
    let mut d = Dataset::new(info(), variables()).expect("valid dictionary");
    for i in 0..ROWS {
        d.push_row(row(i)).expect("valid row");
    }
    d
}
