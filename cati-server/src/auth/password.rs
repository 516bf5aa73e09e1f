//! Password hashing (Argon2 via `password-auth`), off the async threads.

use rand::Rng;
use rand::distributions::Alphanumeric;

use crate::error::AppError;

/// Hashes a password into a PHC string.
pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Checks a password against a PHC string.
pub async fn verify(password: String, hash: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// A random 16-character password for generated accounts.
pub fn generate() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(16)
        .map(char::from)
        .collect()
}

/// Refuses passwords too short to be worth hashing.
pub fn check_strength(password: &str) -> Result<(), AppError> {
    if password.chars().count() < 10 {
        return Err(AppError::Invalid(
            "le mot de passe doit compter au moins 10 caractères".to_owned(),
        ));
    }
    Ok(())
}
