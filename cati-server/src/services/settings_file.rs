//! Reading a settings file a manager gives (a wave's calling rules, a survey's outcome codes):
//! TOML, or JSON when its name ends in `.json`, refused with a French message that names the
//! file and, where the parser tells it, the line.

use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Reads `text`, the file `name` holding `what` (« règles d'appel », « codes d'issue »).
pub fn parse<T: DeserializeOwned>(name: &str, text: &str, what: &str) -> Result<T, AppError> {
    if name.to_lowercase().ends_with(".json") {
        serde_json::from_str(text).map_err(|e| {
            AppError::Invalid(format!(
                "{name}, ligne {} : {what} illisibles ({e})",
                e.line()
            ))
        })
    } else {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .and_then(|span| text.get(..span.start))
                .map(|before| before.lines().count().max(1));
            let at = line.map_or_else(String::new, |l| format!(", ligne {l}"));
            AppError::Invalid(format!("{name}{at} : {what} illisibles ({})", e.message()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Sample {
        #[allow(dead_code)]
        count: u32,
    }

    #[test]
    fn errors_name_the_file_and_the_line() {
        let error = parse::<Sample>("regles.toml", "\n\ncount = \"x\"\n", "règles d'appel")
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("regles.toml, ligne 3 : règles d'appel illisibles"),
            "{error}"
        );
        let error = parse::<Sample>("regles.json", "{\n\"count\": -1}", "règles d'appel")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("regles.json, ligne 2 :"), "{error}");
        assert!(parse::<Sample>("r.toml", "count = 3", "x").is_ok());
    }
}
