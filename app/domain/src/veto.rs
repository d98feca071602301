//! The one-vote veto (一票否决) as a two-person workflow: one assessor
//! proposes it with reason and evidence, a different assessor confirms or
//! rejects it. Revoking a confirmed veto takes two people as well: one
//! assessor proposes the revocation with a reason, a different one
//! confirms or rejects it. Only a confirmed veto zeroes a unit's year, and
//! it stays confirmed (and counts) while a revocation waits.

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

/// Asking to revoke a confirmed veto, with a reason; `pending` says a
/// revocation already waits for a second assessor. The veto stays
/// confirmed until one confirms the revocation.
pub fn propose_revocation(status: VetoStatus, pending: bool, reason: &str) -> Result<(), Problem> {
    if status != VetoStatus::Confirmed {
        return Err(Problem::new("problem.veto_not_confirmed"));
    }
    if pending {
        return Err(Problem::new("problem.revocation_pending"));
    }
    if reason.trim().is_empty() {
        return Err(Problem::new("problem.required"));
    }
    Ok(())
}

/// A second assessor's decision on a pending revocation (`proposer` is who
/// asked for it, `None` when none waits): confirmed, the veto is revoked;
/// rejected, it stays confirmed. The proposer can never decide their own
/// request.
pub fn decide_revocation(
    status: VetoStatus,
    proposer: Option<i64>,
    decider: i64,
    confirm: bool,
) -> Result<VetoStatus, Problem> {
    if status != VetoStatus::Confirmed {
        return Err(Problem::new("problem.veto_not_confirmed"));
    }
    let Some(proposer) = proposer else {
        return Err(Problem::new("problem.no_revocation_pending"));
    };
    if proposer == decider {
        return Err(Problem::new("problem.revocation_own_proposal"));
    }
    Ok(if confirm {
        VetoStatus::Revoked
    } else {
        VetoStatus::Confirmed
    })
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
            propose_revocation(VetoStatus::Confirmed, false, "复核撤销"),
            Ok(())
        );
        assert_eq!(
            propose_revocation(VetoStatus::Confirmed, false, "  "),
            Err(Problem::new("problem.required"))
        );
        assert_eq!(
            propose_revocation(VetoStatus::Proposed, false, "x"),
            Err(Problem::new("problem.veto_not_confirmed"))
        );
        assert_eq!(
            decide_revocation(VetoStatus::Revoked, Some(7), 8, true),
            Err(Problem::new("problem.veto_not_confirmed"))
        );
        assert_eq!(VetoStatus::parse("revoked"), Some(VetoStatus::Revoked));
    }

    #[test]
    fn the_proposer_of_a_revocation_can_never_decide_it() {
        for confirm in [true, false] {
            assert_eq!(
                decide_revocation(VetoStatus::Confirmed, Some(7), 7, confirm),
                Err(Problem::new("problem.revocation_own_proposal"))
            );
        }
        assert_eq!(
            decide_revocation(VetoStatus::Confirmed, Some(7), 8, true),
            Ok(VetoStatus::Revoked)
        );
    }

    #[test]
    fn a_rejected_revocation_leaves_the_veto_confirmed() {
        assert_eq!(
            decide_revocation(VetoStatus::Confirmed, Some(7), 8, false),
            Ok(VetoStatus::Confirmed)
        );
    }

    #[test]
    fn a_revocation_is_decided_only_when_one_waits_and_asked_for_only_once() {
        assert_eq!(
            decide_revocation(VetoStatus::Confirmed, None, 8, true),
            Err(Problem::new("problem.no_revocation_pending"))
        );
        assert_eq!(
            propose_revocation(VetoStatus::Confirmed, true, "再次申请"),
            Err(Problem::new("problem.revocation_pending"))
        );
    }
}
