//! How far a committed write survives: the durability level of SQLite's commits.
//!
//! In WAL mode SQLite offers two levels that matter here. With `synchronous=FULL` every commit
//! waits until the write-ahead log is on the disk (`fsync`): an acknowledged answer survives a
//! crash of the process *and* of the machine (a power cut, a kernel panic). With
//! `synchronous=NORMAL` a commit only reaches the operating system and the log is synced at
//! checkpoints: it survives the process being killed, but the last commits before a power cut
//! may be lost. cati promises that an acknowledged answer is stored durably, so `Full` is the
//! default, made affordable by syncing the log once for a group of commits (`wal_sync`); `Normal` is for machines where the disk's sync is slow and the power is safe (a
//! UPS, a virtual machine whose host syncs). PostgreSQL keeps its own setting
//! (`synchronous_commit`, on by default, which is the same promise as `Full`).

use std::str::FromStr;

/// The durability level of SQLite's commits (see the module documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// Every commit synced to the disk before it is acknowledged (what `synchronous=FULL`
    /// promises, with the syncs grouped).
    #[default]
    Full,
    /// Commits reach the operating system; the disk is synced at checkpoints
    /// (`synchronous=NORMAL`): safe against a killed process, not against a power cut.
    Normal,
}

impl Durability {
    /// The level's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Durability::Full => "full",
            Durability::Normal => "normal",
        }
    }
}

impl FromStr for Durability {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "full" => Ok(Durability::Full),
            "normal" => Ok(Durability::Normal),
            other => Err(format!(
                "durabilité inconnue : « {other} » (attendu : full ou normal)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durability_reads_its_command_line_names_and_refuses_others_in_french() {
        for level in [Durability::Full, Durability::Normal] {
            assert_eq!(level.name().parse::<Durability>(), Ok(level));
        }
        let refused = "fsync".parse::<Durability>().expect_err("unknown level");
        assert!(refused.contains("full ou normal"), "{refused}");
    }

    #[test]
    fn full_durability_is_the_default() {
        assert_eq!(Durability::default(), Durability::Full);
    }
}
