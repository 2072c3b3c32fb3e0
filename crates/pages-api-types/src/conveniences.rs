//! Hand-written shortcuts on generated types, for what every caller digs out of the nested
//! optional fields. They name generated fields, so a spec change that moves one fails to
//! compile here rather than in users' code.

use crate::{Deployment, Stage, StageName};

impl Deployment {
    /// The branch the deployment was built from (`deployment_trigger.metadata.branch`).
    pub fn branch(&self) -> Option<&str> {
        self.deployment_trigger
            .as_ref()?
            .metadata
            .as_ref()?
            .branch
            .as_deref()
    }

    /// The commit the deployment was built from (`deployment_trigger.metadata.commit_hash`).
    pub fn commit_hash(&self) -> Option<&str> {
        self.deployment_trigger
            .as_ref()?
            .metadata
            .as_ref()?
            .commit_hash
            .as_deref()
    }

    /// The message of that commit (`deployment_trigger.metadata.commit_message`).
    pub fn commit_message(&self) -> Option<&str> {
        self.deployment_trigger
            .as_ref()?
            .metadata
            .as_ref()?
            .commit_message
            .as_deref()
    }

    /// The stage the deployment is in (`latest_stage`).
    pub fn stage(&self) -> Option<&Stage> {
        self.latest_stage.as_ref()
    }

    /// The name of that stage (`latest_stage.name`).
    pub fn stage_name(&self) -> Option<&StageName> {
        self.latest_stage.as_ref()?.name.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_read_nested_fields() {
        let deployment: Deployment = serde_json::from_value(serde_json::json!({
            "deployment_trigger": {"type": "push", "metadata": {"branch": "main", "commit_hash": "ad9c", "commit_message": "Fix"}},
            "latest_stage": {"name": "deploy", "status": "success"}
        }))
        .unwrap();
        assert_eq!(deployment.branch(), Some("main"));
        assert_eq!(deployment.commit_hash(), Some("ad9c"));
        assert_eq!(deployment.commit_message(), Some("Fix"));
        assert_eq!(deployment.stage_name(), Some(&StageName::Deploy));
        assert_eq!(Deployment::default().branch(), None);
    }
}
