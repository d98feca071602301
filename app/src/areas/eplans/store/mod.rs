//! The emergency plans' tables: plans (`emergency_plans`), their versions
//! (`plan_versions`) and the versions' documents (`plan_documents`).

pub mod documents;
pub mod plans;
pub mod versions;
