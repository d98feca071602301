//! The one-vote veto (一票否决) as a two-person workflow: one assessor
//! proposes it with reason and evidence, a different assessor confirms or
//! rejects it, and a confirmed veto can only be revoked with a reason.
//! Only a confirmed veto zeroes a unit's year.

use super::Problem;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VetoStatus {
    Proposed,
    Confirmed,
    Rejected,
    Revoked,
}

impl VetoStatus {
    pub fn code(self) -> &'static str {
        match self {
            VetoStatus::Proposed => "proposed",
            VetoStatus::Confirmed => "confirmed",
            VetoStatus::Rejected => "rejected",
            VetoStatus::Revoked => "revoked",
        }
    }

    pub fn parse(code: &str) -> Option<VetoStatus> {
        [
            VetoStatus::Proposed,
            VetoStatus::Confirmed,
            VetoStatus::Rejected,
            VetoStatus::Revoked,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            VetoStatus::Proposed => "veto.status_proposed",
            VetoStatus::Confirmed => "veto.status_confirmed",
            VetoStatus::Rejected => "veto.status_rejected",
            VetoStatus::Revoked => "veto.status_revoked",
        }
    }
}

/// A second assessor's decision on a proposed veto. The proposer can never
/// decide their own proposal.
pub fn decide(
    status: VetoStatus,
    proposer: i64,
    decider: i64,
    confirm: bool,
) -> Result<VetoStatus, Problem> {
    if status != VetoStatus::Proposed {
        return Err(Problem::new("problem.veto_not_pending"));
    }
    if proposer == decider {
        return Err(Problem::new("problem.veto_own_proposal"));
    }
    Ok(if confirm {
        VetoStatus::Confirmed
    } else {
        VetoStatus::Rejected
    })
}

/// Revoking a confirmed veto, which needs a reason.
pub fn revoke(status: VetoStatus, reason: &str) -> Result<VetoStatus, Problem> {
    if status != VetoStatus::Confirmed {
        return Err(Problem::new("problem.veto_not_confirmed"));
    }
    if reason.trim().is_empty() {
        return Err(Problem::new("problem.required"));
    }
    Ok(VetoStatus::Revoked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proposer_can_never_confirm_their_own_veto() {
        assert_eq!(
            decide(VetoStatus::Proposed, 7, 7, true),
            Err(Problem::new("problem.veto_own_proposal"))
        );
        assert_eq!(
            decide(VetoStatus::Proposed, 7, 7, false),
            Err(Problem::new("problem.veto_own_proposal"))
        );
        assert_eq!(
            decide(VetoStatus::Proposed, 7, 8, true),
            Ok(VetoStatus::Confirmed)
        );
        assert_eq!(
            decide(VetoStatus::Proposed, 7, 8, false),
            Ok(VetoStatus::Rejected)
        );
    }

    #[test]
    fn only_a_pending_veto_is_decided_and_only_a_confirmed_one_revoked() {
        assert!(decide(VetoStatus::Confirmed, 7, 8, true).is_err());
        assert!(decide(VetoStatus::Rejected, 7, 8, true).is_err());
        assert_eq!(
            revoke(VetoStatus::Confirmed, "复核撤销"),
            Ok(VetoStatus::Revoked)
        );
        assert_eq!(
            revoke(VetoStatus::Confirmed, "  "),
            Err(Problem::new("problem.required"))
        );
        assert!(revoke(VetoStatus::Proposed, "x").is_err());
        assert_eq!(VetoStatus::parse("revoked"), Some(VetoStatus::Revoked));
    }
}
