//! A SageMaker endpoint's production variants, as the user has them: a CreateEndpointConfig
//! request body or what `aws sagemaker describe-endpoint-config` prints, and the
//! UpdateEndpointWeightsAndCapacities bodies that shift traffic and capacity during a run
//! (semantics: `docs/semantics/aws-endpoint-variants.md`).
//!
//! Traffic goes to each variant in proportion to its weight: "The traffic to a production
//! variant is determined by the ratio of the VariantWeight to the sum of all VariantWeight values
//! across all ProductionVariants. If unspecified, it defaults to 1.0."
//! (<https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html>).

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::error::ScenarioError;
use crate::vendor_formats::parse_json;

/// ProductionVariants: "Minimum number of 1 item. Maximum number of 10 items."
const MAX_VARIANTS: usize = 10;
/// VariantName: "Maximum length of 63", pattern `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`.
const MAX_VARIANT_NAME: usize = 63;

/// CreateEndpointConfig request body, or `describe-endpoint-config` output.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct CreateEndpointConfig {
    #[allow(dead_code, reason = "names the configuration, not the endpoint")]
    endpoint_config_name: String,
    production_variants: Vec<ProductionVariant>,
    #[allow(dead_code, reason = "printed by describe-endpoint-config")]
    endpoint_config_arn: Option<String>,
    #[allow(dead_code, reason = "printed by describe-endpoint-config")]
    creation_time: Option<Value>,
    #[allow(dead_code, reason = "does not change scaling")]
    data_capture_config: Option<Value>,
    #[allow(dead_code, reason = "does not change scaling")]
    tags: Option<Vec<Value>>,
    #[allow(dead_code, reason = "does not change scaling")]
    kms_key_id: Option<String>,
    async_inference_config: Option<Value>,
    #[allow(dead_code, reason = "does not change scaling")]
    explainer_config: Option<Value>,
    shadow_production_variants: Option<Vec<Value>>,
    #[allow(dead_code, reason = "does not change scaling")]
    execution_role_arn: Option<String>,
    #[allow(dead_code, reason = "does not change scaling")]
    vpc_config: Option<Value>,
    #[allow(dead_code, reason = "does not change scaling")]
    enable_network_isolation: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ProductionVariant {
    variant_name: String,
    #[allow(
        dead_code,
        reason = "the model is simulated by the scenario's capacity"
    )]
    model_name: Option<String>,
    initial_instance_count: Option<u32>,
    instance_type: Option<String>,
    initial_variant_weight: Option<f64>,
    #[allow(
        dead_code,
        reason = "Elastic Inference is retired; capacity comes from the scenario"
    )]
    accelerator_type: Option<String>,
    #[allow(dead_code, reason = "does not change scaling")]
    core_dump_config: Option<Value>,
    serverless_config: Option<Value>,
    #[serde(rename = "VolumeSizeInGB")]
    #[allow(dead_code, reason = "does not change scaling")]
    volume_size_in_gb: Option<u32>,
    #[allow(dead_code, reason = "launch time is the scenario's provisioning_s")]
    model_data_download_timeout_in_seconds: Option<u32>,
    #[allow(dead_code, reason = "launch time is the scenario's provisioning_s")]
    container_startup_health_check_timeout_in_seconds: Option<u32>,
    #[serde(rename = "EnableSSMAccess")]
    #[allow(dead_code, reason = "does not change scaling")]
    enable_ssm_access: Option<bool>,
    managed_instance_scaling: Option<Value>,
    #[allow(
        dead_code,
        reason = "routing within a variant is the fluid model's even split"
    )]
    routing_config: Option<Value>,
    #[allow(dead_code, reason = "does not change scaling")]
    inference_ami_version: Option<String>,
    #[allow(dead_code, reason = "does not change scaling")]
    capacity_reservation_config: Option<Value>,
}

/// UpdateEndpointWeightsAndCapacities request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct UpdateEndpointWeightsAndCapacities {
    #[allow(dead_code, reason = "the scenario names the endpoint")]
    endpoint_name: String,
    desired_weights_and_capacities: Vec<DesiredWeightAndCapacity>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DesiredWeightAndCapacity {
    variant_name: String,
    desired_weight: Option<f64>,
    desired_instance_count: Option<u32>,
    serverless_update_config: Option<Value>,
}

/// One production variant of the endpoint.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EndpointVariant {
    pub(crate) name: String,
    /// InitialVariantWeight, default 1.0.
    pub(crate) weight: f64,
    pub(crate) initial_instance_count: u32,
    pub(crate) instance_type: String,
    /// Where the variant sits in the file, `ProductionVariants[1].`, for messages.
    pub(crate) prefix: String,
}

/// What one UpdateEndpointWeightsAndCapacities body changes: per variant index, the new
/// weight and desired instance count, each if given.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EndpointUpdate {
    pub(crate) changes: Vec<(usize, Option<f64>, Option<u32>)>,
}

fn field_error(path: &Path, field: impl Into<String>, message: impl Into<String>) -> ScenarioError {
    ScenarioError::Field {
        path: path.to_owned(),
        field: field.into(),
        message: message.into(),
    }
}

fn valid_variant_name(name: &str) -> bool {
    // [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}: alphanumerics, inner hyphens, no hyphen at either end.
    !name.is_empty()
        && name.len() <= MAX_VARIANT_NAME
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

fn check_weight(path: &Path, field: String, weight: f64) -> Result<(), ScenarioError> {
    if weight.is_finite() && weight >= 0.0 {
        Ok(())
    } else {
        Err(field_error(
            path,
            field,
            format!("must be a number of at least 0, got {weight}"),
        ))
    }
}

/// The production variants of the CreateEndpointConfig body or describe-endpoint-config output
/// in `text`, checked by SageMaker's rules.
pub(crate) fn endpoint_variants(
    text: &str,
    path: &Path,
) -> Result<Vec<EndpointVariant>, ScenarioError> {
    let config: CreateEndpointConfig = parse_json(text, path)?;
    if config.async_inference_config.is_some() {
        return Err(field_error(
            path,
            "AsyncInferenceConfig",
            "asynchronous endpoints are not supported yet; give a real-time endpoint's \
             configuration",
        ));
    }
    if config
        .shadow_production_variants
        .as_ref()
        .is_some_and(|shadows| !shadows.is_empty())
    {
        return Err(field_error(
            path,
            "ShadowProductionVariants",
            "shadow variants are not supported yet",
        ));
    }
    let count = config.production_variants.len();
    if !(1..=MAX_VARIANTS).contains(&count) {
        return Err(field_error(
            path,
            "ProductionVariants",
            format!("must hold 1 to {MAX_VARIANTS} variants, got {count}"),
        ));
    }
    let mut variants: Vec<EndpointVariant> = Vec::with_capacity(count);
    for (index, variant) in config.production_variants.into_iter().enumerate() {
        let prefix = format!("ProductionVariants[{index}].");
        if !valid_variant_name(&variant.variant_name) {
            return Err(field_error(
                path,
                format!("{prefix}VariantName"),
                format!(
                    "must be 1 to 63 letters, digits and inner hyphens \
                     ([a-zA-Z0-9](-*[a-zA-Z0-9]){{0,62}}), got {:?}",
                    variant.variant_name
                ),
            ));
        }
        if let Some(earlier) = variants.iter().find(|v| v.name == variant.variant_name) {
            return Err(field_error(
                path,
                format!("{prefix}VariantName"),
                format!(
                    "{:?} is already the name of {}; variant names must be unique",
                    variant.variant_name,
                    earlier.prefix.trim_end_matches('.')
                ),
            ));
        }
        if variant.serverless_config.is_some() {
            return Err(field_error(
                path,
                format!("{prefix}ServerlessConfig"),
                "serverless variants are not supported yet; give InstanceType and \
                 InitialInstanceCount",
            ));
        }
        if variant.managed_instance_scaling.is_some() {
            return Err(field_error(
                path,
                format!("{prefix}ManagedInstanceScaling"),
                "inference components are not supported yet",
            ));
        }
        let instance_type = variant.instance_type.ok_or_else(|| {
            field_error(
                path,
                format!("{prefix}InstanceType"),
                "is required for an instance-based variant",
            )
        })?;
        let initial_instance_count = match variant.initial_instance_count {
            Some(count) if count >= 1 => count,
            Some(count) => {
                return Err(field_error(
                    path,
                    format!("{prefix}InitialInstanceCount"),
                    format!("must be at least 1, got {count}"),
                ));
            }
            None => {
                return Err(field_error(
                    path,
                    format!("{prefix}InitialInstanceCount"),
                    "is required for an instance-based variant",
                ));
            }
        };
        let weight = variant.initial_variant_weight.unwrap_or(1.0);
        check_weight(path, format!("{prefix}InitialVariantWeight"), weight)?;
        variants.push(EndpointVariant {
            name: variant.variant_name,
            weight,
            initial_instance_count,
            instance_type,
            prefix,
        });
    }
    let sum: f64 = variants.iter().map(|variant| variant.weight).sum();
    if sum <= 0.0 {
        return Err(field_error(
            path,
            "ProductionVariants",
            "the InitialVariantWeight values sum to 0: no variant would get traffic",
        ));
    }
    if !sum.is_finite() {
        return Err(field_error(
            path,
            "ProductionVariants",
            format!("the InitialVariantWeight values sum past the largest number, {sum}"),
        ));
    }
    Ok(variants)
}

/// The UpdateEndpointWeightsAndCapacities body in `text`, whose variants must be `variants`'.
/// `weights` are the weights in force before it, to check that some traffic still flows after.
pub(crate) fn endpoint_update(
    text: &str,
    path: &Path,
    variants: &[EndpointVariant],
    weights: &[f64],
) -> Result<EndpointUpdate, ScenarioError> {
    let body: UpdateEndpointWeightsAndCapacities = parse_json(text, path)?;
    if body.desired_weights_and_capacities.is_empty() {
        return Err(field_error(
            path,
            "DesiredWeightsAndCapacities",
            "must hold at least 1 variant",
        ));
    }
    let mut changes: Vec<(usize, Option<f64>, Option<u32>)> = Vec::new();
    let mut after = weights.to_vec();
    for (index, desired) in body.desired_weights_and_capacities.into_iter().enumerate() {
        let prefix = format!("DesiredWeightsAndCapacities[{index}].");
        let position = variants
            .iter()
            .position(|variant| variant.name == desired.variant_name)
            .ok_or_else(|| {
                field_error(
                    path,
                    format!("{prefix}VariantName"),
                    format!(
                        "{:?} is not a production variant of the endpoint; its variants: {}",
                        desired.variant_name,
                        variant_names(variants)
                    ),
                )
            })?;
        if changes.iter().any(|&(earlier, _, _)| earlier == position) {
            return Err(field_error(
                path,
                format!("{prefix}VariantName"),
                format!("{:?} is updated twice", desired.variant_name),
            ));
        }
        if desired.serverless_update_config.is_some() {
            return Err(field_error(
                path,
                format!("{prefix}ServerlessUpdateConfig"),
                "serverless variants are not supported yet",
            ));
        }
        if let Some(weight) = desired.desired_weight {
            check_weight(path, format!("{prefix}DesiredWeight"), weight)?;
            after[position] = weight;
        }
        if desired.desired_weight.is_none() && desired.desired_instance_count.is_none() {
            return Err(field_error(
                path,
                prefix.trim_end_matches('.').to_owned(),
                "gives neither DesiredWeight nor DesiredInstanceCount",
            ));
        }
        if desired.desired_instance_count == Some(0) {
            return Err(field_error(
                path,
                format!("{prefix}DesiredInstanceCount"),
                "0 instances is for inference components, which are not supported yet; give at \
                 least 1",
            ));
        }
        changes.push((
            position,
            desired.desired_weight,
            desired.desired_instance_count,
        ));
    }
    let sum: f64 = after.iter().sum();
    if sum <= 0.0 {
        return Err(field_error(
            path,
            "DesiredWeightsAndCapacities",
            "leaves every variant's weight at 0: no variant would get traffic",
        ));
    }
    if !sum.is_finite() {
        return Err(field_error(
            path,
            "DesiredWeightsAndCapacities",
            format!("leaves weights that sum past the largest number, {sum}"),
        ));
    }
    Ok(EndpointUpdate { changes })
}

/// The variants' names, for messages: `"A", "B"`.
pub(crate) fn variant_names(variants: &[EndpointVariant]) -> String {
    variants
        .iter()
        .map(|variant| format!("{:?}", variant.name))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's own CreateEndpointConfig example, verbatim (tests/data/aws-examples/README.md).
    const NEO_EXAMPLE: &str =
        include_str!("../../tests/data/aws-examples/create-endpoint-config.neo.request.json");
    /// AWS's A/B testing example's weight update, 25 / 75 (same README).
    const AB_UPDATE: &str = include_str!(
        "../../tests/data/aws-examples/update-endpoint-weights-and-capacities.model-ab-testing.request.converted.json"
    );

    const TWO_VARIANTS: &str = r#"{ "EndpointConfigName": "ab", "ProductionVariants": [
        { "VariantName": "Variant1", "ModelName": "m1", "InitialInstanceCount": 2,
          "InstanceType": "ml.c5.xlarge", "InitialVariantWeight": 1 },
        { "VariantName": "Variant2", "ModelName": "m2", "InitialInstanceCount": 1,
          "InstanceType": "ml.c5.xlarge" } ] }"#;

    fn error(result: Result<impl std::fmt::Debug, ScenarioError>) -> String {
        result.unwrap_err().to_string()
    }

    #[test]
    fn aws_example_reads_once_its_placeholders_are_filled_in_and_the_default_weight_is_one() {
        // SageMaker refuses the page's placeholder as a variant name, and so does scalesim.
        assert!(
            error(endpoint_variants(NEO_EXAMPLE, Path::new("config.json")))
                .contains("ProductionVariants[0].VariantName: must be 1 to 63 letters")
        );
        let filled = NEO_EXAMPLE
            .replace("<provide your variant name>", "AllTraffic")
            .replace("<provide your instance type here>", "ml.c5.xlarge");
        let variants = endpoint_variants(&filled, Path::new("config.json")).unwrap();
        assert_eq!(
            variants,
            [EndpointVariant {
                name: "AllTraffic".into(),
                weight: 1.0,
                initial_instance_count: 1,
                instance_type: "ml.c5.xlarge".into(),
                prefix: "ProductionVariants[0].".into(),
            }]
        );
        let two = endpoint_variants(TWO_VARIANTS, Path::new("config.json")).unwrap();
        assert_eq!(two[1].weight, 1.0);
        assert_eq!(two[0].initial_instance_count, 2);
    }

    #[test]
    fn aws_ab_update_sets_both_weights() {
        let variants = endpoint_variants(TWO_VARIANTS, Path::new("config.json")).unwrap();
        let update =
            endpoint_update(AB_UPDATE, Path::new("update.json"), &variants, &[1.0, 1.0]).unwrap();
        assert_eq!(
            update.changes,
            [(0, Some(25.0), None), (1, Some(75.0), None)]
        );
    }

    #[test]
    fn sagemakers_rules_are_named_by_field() {
        let path = Path::new("config.json");
        let zero_weights = TWO_VARIANTS
            .replace("\"InitialVariantWeight\": 1", "\"InitialVariantWeight\": 0")
            .replace(
                "\"InstanceType\": \"ml.c5.xlarge\" }",
                "\"InstanceType\": \"ml.c5.xlarge\", \"InitialVariantWeight\": 0 }",
            );
        assert_eq!(
            error(endpoint_variants(&zero_weights, path)),
            "config.json: ProductionVariants: the InitialVariantWeight values sum to 0: no \
             variant would get traffic"
        );
        let twice = TWO_VARIANTS.replace("Variant2", "Variant1");
        assert!(
            error(endpoint_variants(&twice, path))
                .contains("ProductionVariants[1].VariantName: \"Variant1\" is already")
        );
        let bad_name = TWO_VARIANTS.replace("Variant2", "-canary");
        assert!(error(endpoint_variants(&bad_name, path)).contains("[1].VariantName: must be"));
        let negative = TWO_VARIANTS.replace(
            "\"InitialVariantWeight\": 1",
            "\"InitialVariantWeight\": -1",
        );
        assert!(error(endpoint_variants(&negative, path)).contains(
            "ProductionVariants[0].InitialVariantWeight: must be a number of at least 0"
        ));
        let variants = endpoint_variants(TWO_VARIANTS, path).unwrap();
        let unknown = AB_UPDATE.replace("Variant2", "Variant3");
        assert_eq!(
            error(endpoint_update(
                &unknown,
                Path::new("u.json"),
                &variants,
                &[1.0, 1.0]
            )),
            "u.json: DesiredWeightsAndCapacities[1].VariantName: \"Variant3\" is not a production \
             variant of the endpoint; its variants: \"Variant1\", \"Variant2\""
        );
        let all_zero = AB_UPDATE.replace("25", "0").replace("75", "0");
        assert!(
            error(endpoint_update(
                &all_zero,
                Path::new("u.json"),
                &variants,
                &[1.0, 1.0]
            ))
            .contains("leaves every variant's weight at 0")
        );
    }
}
