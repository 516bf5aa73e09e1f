//! Call outcomes and what they mean for the case (recall delays, appointments, final
//! dispositions). Which case is handed out next is decided in `store::cases::claim_next`.

pub mod outcomes;
pub mod quick;
