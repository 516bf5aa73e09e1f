//! The bearer token that protects `GET /metrics` on the main listener.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use subtle::ConstantTimeEq;

/// Fewest characters accepted in a token: short ones could be guessed by trying.
pub const MIN_TOKEN_CHARS: usize = 16;

/// Why a token given on the command line was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Too short to resist guessing.
    #[error("le jeton des métriques doit compter au moins {MIN_TOKEN_CHARS} caractères")]
    TooShort,
    /// Not sendable as-is in an `Authorization` header.
    #[error(
        "le jeton des métriques ne peut contenir que des caractères ASCII visibles (ni espace ni accent)"
    )]
    NotVisibleAscii,
}

/// A metrics bearer token; its `Debug` output hides it, so that settings can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(String);

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(***)")
    }
}

impl MetricsToken {
    /// Checks a token given by the operator (`--metrics-token`, `CATI_METRICS_TOKEN`).
    pub fn parse(text: &str) -> Result<MetricsToken, TokenError> {
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(TokenError::NotVisibleAscii);
        }
        if text.len() < MIN_TOKEN_CHARS {
            return Err(TokenError::TooShort);
        }
        Ok(MetricsToken(text.to_owned()))
    }

    /// Whether the request carries `Authorization: Bearer <this token>`. The token is
    /// compared in constant time, so that response times do not reveal how much of a guess was
    /// right.
    pub fn authorizes(&self, headers: &HeaderMap) -> bool {
        let Some(presented) = headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
        else {
            return false;
        };
        self.0.as_bytes().ct_eq(presented.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    const TOKEN: &str = "s3cret-metrics-token";

    fn headers(authorization: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(authorization).unwrap());
        headers
    }

    #[test]
    fn the_right_bearer_token_is_accepted() {
        let token = MetricsToken::parse(TOKEN).unwrap();
        assert!(token.authorizes(&headers(&format!("Bearer {TOKEN}"))));
        assert!(token.authorizes(&headers(&format!("bearer {TOKEN}"))));
    }

    #[test]
    fn a_wrong_missing_or_non_bearer_token_is_refused() {
        let token = MetricsToken::parse(TOKEN).unwrap();
        assert!(!token.authorizes(&headers("Bearer s3cret-metrics-tokeN")));
        assert!(!token.authorizes(&headers("Bearer s3cret-metrics-token-and-more")));
        assert!(!token.authorizes(&headers("Bearer s3cret")));
        assert!(!token.authorizes(&headers("Bearer ")));
        assert!(!token.authorizes(&headers(&format!("Basic {TOKEN}"))));
        assert!(!token.authorizes(&headers(TOKEN)));
        assert!(!token.authorizes(&HeaderMap::new()));
    }

    #[test]
    fn short_or_unprintable_tokens_are_refused_at_start_up() {
        assert_eq!(MetricsToken::parse(""), Err(TokenError::TooShort));
        assert_eq!(MetricsToken::parse("short"), Err(TokenError::TooShort));
        assert_eq!(
            MetricsToken::parse("with a space inside it"),
            Err(TokenError::NotVisibleAscii)
        );
        assert_eq!(
            MetricsToken::parse("jeton-très-secret-métriques"),
            Err(TokenError::NotVisibleAscii)
        );
    }

    #[test]
    fn the_token_is_not_shown_in_debug_output() {
        let token = MetricsToken::parse(TOKEN).unwrap();
        assert!(!format!("{token:?}").contains(TOKEN));
    }
}
