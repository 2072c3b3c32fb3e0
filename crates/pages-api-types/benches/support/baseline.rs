//! The hand-written baseline of the decode benchmark (`decode.rs`): plain serde structs for the
//! same JSON as the generated types, generic over a [`Flavor`] that puts one design choice of
//! the generated types into them at a time.

use std::collections::{BTreeMap, HashMap};

use pages_api_types as generated;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// The types one design choice is made with; [`Plain`] is the hand-written baseline.
pub trait Flavor {
    type Time: DeserializeOwned;
    type StageName: DeserializeOwned;
    type StageStatus: DeserializeOwned;
    type Environment: DeserializeOwned;
    type TriggerType: DeserializeOwned;
    type SkipReason: DeserializeOwned;
    type SourceType: DeserializeOwned;
    type PreviewSetting: DeserializeOwned;
    type VariableType: DeserializeOwned;
    type UsageModel: DeserializeOwned;
    /// Every string-keyed map: a deployment's `env_vars`, a project's binding maps.
    type Map<V: DeserializeOwned>: DeserializeOwned;
}

/// The enum types of a flavour: `String`s, or the generated open enums.
macro_rules! enum_types {
    (strings) => {
        type StageName = String;
        type StageStatus = String;
        type Environment = String;
        type TriggerType = String;
        type SkipReason = String;
        type SourceType = String;
        type PreviewSetting = String;
        type VariableType = String;
        type UsageModel = String;
    };
    (open) => {
        type StageName = generated::StageName;
        type StageStatus = generated::StageStatus;
        type Environment = generated::Environment;
        type TriggerType = generated::DeploymentTriggerType;
        type SkipReason = generated::SkipReason;
        type SourceType = generated::SourceType;
        type PreviewSetting = generated::PreviewDeploymentSetting;
        type VariableType = generated::EnvVarType;
        type UsageModel = generated::UsageModel;
    };
}

macro_rules! flavor {
    ($(#[$doc:meta])* $name:ident: $time:ty, $enums:ident, $map:ident) => {
        $(#[$doc])*
        pub struct $name;
        impl Flavor for $name {
            type Time = $time;
            enum_types!($enums);
            type Map<V: DeserializeOwned> = $map<String, V>;
        }
    };
}

flavor!(
    /// Hand-written: strings and `HashMap`s.
    Plain: String, strings, HashMap
);
flavor!(
    /// [`Plain`] with the generated crate's lenient RFC 3339 `Timestamp`.
    Timestamps: generated::Timestamp, strings, HashMap
);
flavor!(
    /// [`Plain`] with the generated open enums (`Unknown(String)` kept).
    OpenEnums: String, open, HashMap
);
flavor!(
    /// [`Plain`] with `BTreeMap`s, as generated (a deployment's `env_vars`, the binding maps).
    BTreeMaps: String, strings, BTreeMap
);
flavor!(
    /// Every choice above at once: the generated types' choices in the hand-written structs.
    AllChoices: generated::Timestamp, open, BTreeMap
);

#[derive(Deserialize)]
#[allow(dead_code)]
pub struct Envelope<T> {
    success: bool,
    errors: Vec<Message>,
    messages: Vec<Message>,
    result: Option<T>,
    result_info: Option<ResultInfo>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
pub struct Message {
    code: i64,
    message: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
pub struct ResultInfo {
    page: u32,
    per_page: u32,
    count: u32,
    total_count: u32,
    total_pages: u32,
}

/// Declares a hand-written struct generic over a [`Flavor`] (`F`), all fields `Deserialize`.
macro_rules! baseline {
    ($($(#[$attr:meta])* struct $name:ident { $($(#[$field_attr:meta])* $field:ident: $ty:ty,)* })*) => {$(
        #[derive(Deserialize)]
        #[serde(bound = "")]
        #[allow(dead_code)]
        $(#[$attr])*
        pub struct $name<F: Flavor> {
            $($(#[$field_attr])* $field: $ty,)*
            #[serde(skip)]
            flavor: std::marker::PhantomData<F>,
        }
    )*};
}

baseline! {
    struct Deployment {
        id: String,
        short_id: String,
        project_id: String,
        project_name: String,
        environment: F::Environment,
        url: String,
        created_on: F::Time,
        modified_on: F::Time,
        aliases: Option<Vec<String>>,
        latest_stage: Stage<F>,
        env_vars: Option<F::Map<Option<EnvVar<F>>>>,
        deployment_trigger: Trigger<F>,
        stages: Vec<Stage<F>>,
        build_config: BuildConfig<F>,
        source: Source<F>,
        is_skipped: bool,
        skip_reason: Option<F::SkipReason>,
        uses_functions: Option<bool>,
    }

    struct Stage {
        name: F::StageName,
        started_on: Option<F::Time>,
        ended_on: Option<F::Time>,
        status: F::StageStatus,
    }

    struct Trigger {
        #[serde(rename = "type")]
        kind: F::TriggerType,
        metadata: TriggerMetadata<F>,
    }

    struct TriggerMetadata {
        branch: String,
        commit_dirty: bool,
        commit_hash: String,
        commit_message: String,
    }

    struct BuildConfig {
        build_caching: Option<bool>,
        build_command: Option<String>,
        destination_dir: Option<String>,
        root_dir: Option<String>,
        web_analytics_tag: Option<String>,
        web_analytics_token: Option<String>,
    }

    struct Source {
        #[serde(rename = "type")]
        kind: F::SourceType,
        config: SourceConfig<F>,
    }

    struct SourceConfig {
        owner: String,
        owner_id: String,
        repo_id: String,
        repo_name: String,
        production_branch: String,
        pr_comments_enabled: bool,
        deployments_enabled: bool,
        production_deployments_enabled: bool,
        preview_deployment_setting: F::PreviewSetting,
        preview_branch_includes: Vec<String>,
        preview_branch_excludes: Vec<String>,
        path_includes: Vec<String>,
        path_excludes: Vec<String>,
    }

    struct EnvVar {
        #[serde(rename = "type")]
        kind: F::VariableType,
        value: String,
    }

    struct Project {
        id: String,
        name: String,
        subdomain: Option<String>,
        domains: Option<Vec<String>>,
        production_branch: String,
        created_on: F::Time,
        build_config: Option<BuildConfig<F>>,
        deployment_configs: DeploymentConfigs<F>,
        source: Option<Source<F>>,
        latest_deployment: Option<Deployment<F>>,
        canonical_deployment: Option<Deployment<F>>,
        framework: String,
        framework_version: String,
        preview_script_name: String,
        production_script_name: String,
        uses_functions: Option<bool>,
    }

    struct DeploymentConfigs {
        preview: DeploymentConfig<F>,
        production: DeploymentConfig<F>,
    }

    struct DeploymentConfig {
        always_use_latest_compatibility_date: bool,
        build_image_major_version: i64,
        compatibility_date: String,
        compatibility_flags: Vec<String>,
        fail_open: bool,
        usage_model: F::UsageModel,
        wrangler_config_hash: Option<String>,
        limits: Option<Limits<F>>,
        placement: Option<Placement<F>>,
        ai_bindings: Option<F::Map<AiBinding<F>>>,
        analytics_engine_datasets: Option<F::Map<AnalyticsBinding<F>>>,
        browsers: Option<F::Map<Option<serde_json::Value>>>,
        d1_databases: Option<F::Map<IdBinding<F>>>,
        durable_object_namespaces: Option<F::Map<NamespaceBinding<F>>>,
        env_vars: Option<F::Map<Option<EnvVar<F>>>>,
        hyperdrive_bindings: Option<F::Map<IdBinding<F>>>,
        kv_namespaces: Option<F::Map<NamespaceBinding<F>>>,
        mtls_certificates: Option<F::Map<CertificateBinding<F>>>,
        queue_producers: Option<F::Map<NameBinding<F>>>,
        r2_buckets: Option<F::Map<BucketBinding<F>>>,
        services: Option<F::Map<ServiceBinding<F>>>,
        vectorize_bindings: Option<F::Map<IndexBinding<F>>>,
    }

    struct Limits {
        cpu_ms: i64,
    }

    struct Placement {
        mode: String,
    }

    struct AiBinding {
        project_id: String,
    }

    struct AnalyticsBinding {
        dataset: String,
    }

    /// Shared by D1 and Hyperdrive bindings (the generated crate has a type for each).
    struct IdBinding {
        id: String,
    }

    /// Shared by KV and Durable Object bindings (the generated crate has a type for each).
    struct NamespaceBinding {
        namespace_id: String,
    }

    struct CertificateBinding {
        certificate_id: String,
    }

    struct NameBinding {
        name: String,
    }

    struct BucketBinding {
        name: String,
        jurisdiction: Option<String>,
    }

    struct ServiceBinding {
        service: String,
        environment: String,
        entrypoint: Option<String>,
    }

    struct IndexBinding {
        index_name: String,
    }
}
