//! The valid inputs mutation starts from: the shipped scenarios and sweeps with their vendor
//! files, read from `scenarios/` at build time so they stay in step with the repository, and a
//! few more that reach what the shipped ones do not (synthetic-only load, an Azure schedule, an
//! HPA manifest in JSON with behavior, a fixed session length, the request-level model).

/// The four autoscalers a scenario can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AutoscalerKind {
    /// `aws-target-tracking`.
    Aws,
    /// `azure-autoscale`.
    Azure,
    /// `kubernetes-hpa`.
    Hpa,
    /// `huawei-workspace`.
    Huawei,
}

impl AutoscalerKind {
    /// Every kind, in a fixed order.
    pub const ALL: [AutoscalerKind; 4] = [
        AutoscalerKind::Aws,
        AutoscalerKind::Azure,
        AutoscalerKind::Hpa,
        AutoscalerKind::Huawei,
    ];

    /// The scenario's `kind` value.
    pub fn name(self) -> &'static str {
        match self {
            AutoscalerKind::Aws => "aws-target-tracking",
            AutoscalerKind::Azure => "azure-autoscale",
            AutoscalerKind::Hpa => "kubernetes-hpa",
            AutoscalerKind::Huawei => "huawei-workspace",
        }
    }
}

/// A valid scenario and the vendor files it names, relative to it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Template {
    pub(crate) kind: AutoscalerKind,
    /// Where it came from, for the case's notes.
    pub(crate) origin: &'static str,
    pub(crate) scenario: &'static str,
    pub(crate) vendor: &'static [(&'static str, &'static str)],
}

macro_rules! shipped {
    ($path:literal) => {
        include_str!(concat!("../../../scenarios/", $path))
    };
}

const NASA_AWS: &[(&str, &str)] = &[
    ("aws/nasa-register.json", shipped!("aws/nasa-register.json")),
    ("aws/nasa-policy.json", shipped!("aws/nasa-policy.json")),
];

const HPA_BEHAVIOR_YAML: &str = "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web, labels: { app: web } }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } }
  - type: Pods
    pods:
      metric: { name: requests_per_second }
      target: { type: AverageValue, averageValue: 800m }
  behavior:
    scaleUp: { policies: [ { type: Pods, value: 4, periodSeconds: 15 } ] }
    scaleDown:
      stabilizationWindowSeconds: 120
      selectPolicy: Max
      policies: [ { type: Percent, value: 50, periodSeconds: 60 } ]
";

const HPA_JSON: &str = r#"{
  "apiVersion": "autoscaling/v2",
  "kind": "HorizontalPodAutoscaler",
  "metadata": { "name": "web" },
  "spec": {
    "scaleTargetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "web" },
    "minReplicas": 2,
    "maxReplicas": 20,
    "metrics": [
      { "type": "Resource",
        "resource": { "name": "cpu", "target": { "type": "Utilization", "averageUtilization": 70 } } }
    ],
    "behavior": {
      "scaleDown": { "stabilizationWindowSeconds": 300,
        "policies": [ { "type": "Pods", "value": 1, "periodSeconds": 60 } ] }
    }
  }
}
"#;

const AZURE_SCHEDULED: &str = r#"{
  "enabled": true,
  "targetResourceUri": "/x",
  "profiles": [
    { "name": "default",
      "capacity": { "minimum": "1", "maximum": "6", "default": "2" },
      "rules": [
        { "metricTrigger": { "metricName": "CpuUtilizationPercentage", "metricResourceUri": "/x",
            "timeGrain": "PT1M", "statistic": "Average", "timeWindow": "PT5M",
            "timeAggregation": "Average", "operator": "GreaterThan", "threshold": 70 },
          "scaleAction": { "direction": "Increase", "type": "ChangeCount", "value": "1", "cooldown": "PT5M" } },
        { "metricTrigger": { "metricName": "CpuUtilizationPercentage", "metricResourceUri": "/x",
            "timeGrain": "PT1M", "statistic": "Average", "timeWindow": "PT10M",
            "timeAggregation": "Average", "operator": "LessThan", "threshold": 25 },
          "scaleAction": { "direction": "Decrease", "type": "PercentChangeCount", "value": "20", "cooldown": "PT10M" } }
      ] },
    { "name": "business-hours",
      "capacity": { "minimum": "2", "maximum": "8", "default": "3" },
      "rules": [],
      "recurrence": { "frequency": "Week",
        "schedule": { "timeZone": "W. Europe Standard Time", "days": ["Monday", "Tuesday"],
          "hours": [8], "minutes": [30] } } }
  ]
}
"#;

const AZURE_SCHEDULED_TOML: &str = r#"name = "azure-scheduled"
start = 2025-03-03T07:00:00Z

[load]
trace = "trace.csv"

[fleet]
capacity_per_instance = 100.0
provisioning_s = 120

[autoscaler]
kind = "azure-autoscale"
autoscale_setting = "azure/setting.json"
metric_delay_s = 0
"#;

const HPA_BEHAVIOR_TOML: &str = r#"name = "hpa-behavior"
step_s = 15

[load]
trace = "trace.csv"

[fleet]
capacity_per_instance = 600.0
initial_instances = 2
provisioning_s = 30

[autoscaler]
kind = "kubernetes-hpa"
horizontal_pod_autoscaler = "k8s/hpa.yaml"
"#;

const HPA_JSON_TOML: &str = r#"name = "hpa-json"
step_s = 30

[load.synthetic]
duration_s = 3600
noise = "negative-binomial"
dispersion = 20.0

[[load.synthetic.terms]]
shape = "diurnal"
mean_per_min = 300.0
amplitude = 0.5
peak_s = 1800

[fleet]
capacity_per_instance = 60.0
provisioning_s = { distribution = "lognormal", mean = 90.0, sigma = 0.3 }

[autoscaler]
kind = "kubernetes-hpa"
horizontal_pod_autoscaler = "k8s/hpa.json"
sync_period_s = 30
tolerance = 0.05
cpu_request_m = 500
"#;

const HUAWEI_FIXED_TOML: &str = r#"name = "huawei-fixed"

[load]
trace = "trace.csv"

[fleet]
capacity_per_instance = 2
initial_instances = 1
provisioning_s = 120

[autoscaler]
kind = "huawei-workspace"
scaling_policy = "huawei/policy.json"

[sessions]
distribution = "fixed"
mean_s = 240.0
"#;

const AWS_REQUESTS_TOML: &str = r#"name = "requests"
seed = 5

[load]
trace = "trace.csv"

[fleet]
initial_instances = 2
provisioning_s = 120

[service]
model = "requests"
concurrency_per_instance = 4
routing = "random"
queue_timeout_s = 30
max_queue = 100

[service.time]
distribution = "gamma"
mean_s = 0.4
shape = 2.0

[autoscaler]
kind = "aws-target-tracking"
register_scalable_target = "aws/register.json"
put_scaling_policy = "aws/policy.json"
"#;

const HUAWEI_REQUESTS_TOML: &str = r#"name = "huawei-requests"

[load]
trace = "trace.csv"

[fleet]
initial_instances = 1
provisioning_s = 120

[service]
model = "requests"
concurrency_per_instance = 2
routing = "packing"
max_queue = 0

[service.time]
distribution = "exponential"
mean_s = 240.0

[autoscaler]
kind = "huawei-workspace"
scaling_policy = "huawei/policy.json"

[sessions]
cpu_pct_per_session = 30.0
"#;

const HUAWEI_SMALL_POLICY: &str = r#"{ "server_group_id": "group-1", "enable": true,
  "max_scaling_amount": 2, "single_expansion_count": 1,
  "scaling_policy_by_session": { "session_usage_threshold": 75, "shrink_after_session_idle_minutes": 5 } }
"#;

const AWS_SYNTHETIC_TOML: &str = r#"name = "synthetic"
seed = 11
runs = 2

[load.synthetic]
duration_s = 7200
noise = "poisson"

[[load.synthetic.terms]]
shape = "constant"
per_min = 120.0

[[load.synthetic.terms]]
shape = "step"
at_s = 3600
before = 0.0
after = 200.0

[[load.synthetic.terms]]
combine = "multiply"
shape = "weekly"
factors = [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5]

[fleet]
capacity_per_instance = 60.0
initial_instances = 2
provisioning_s = 120
price_per_hour = 0.5

[service]
model = "queue"
service_time_s = 0.5

[slo]
latency_s = 2.0
max_unserved_fraction = 0.01

[autoscaler]
kind = "aws-target-tracking"
register_scalable_target = "aws/register.json"
put_scaling_policy = "aws/policy.json"
"#;

/// Every scenario template.
pub(crate) const SCENARIOS: &[Template] = &[
    Template {
        kind: AutoscalerKind::Aws,
        origin: "scenarios/sagemaker-nasa.toml",
        scenario: shipped!("sagemaker-nasa.toml"),
        vendor: NASA_AWS,
    },
    Template {
        kind: AutoscalerKind::Aws,
        origin: "scenarios/sagemaker-llm-code.toml",
        scenario: shipped!("sagemaker-llm-code.toml"),
        vendor: &[
            (
                "aws/llm-code-register.json",
                shipped!("aws/llm-code-register.json"),
            ),
            (
                "aws/llm-code-config.json",
                shipped!("aws/llm-code-config.json"),
            ),
        ],
    },
    Template {
        kind: AutoscalerKind::Aws,
        origin: "scenarios/sagemaker-quickstart.toml",
        scenario: shipped!("sagemaker-quickstart.toml"),
        vendor: &[
            (
                "aws/quickstart-register.json",
                shipped!("aws/quickstart-register.json"),
            ),
            (
                "aws/quickstart-policy.json",
                shipped!("aws/quickstart-policy.json"),
            ),
        ],
    },
    Template {
        kind: AutoscalerKind::Aws,
        origin: "scenarios/launch-day.toml",
        scenario: shipped!("launch-day.toml"),
        vendor: NASA_AWS,
    },
    Template {
        kind: AutoscalerKind::Aws,
        origin: "synthetic load with queue, service time and SLO",
        scenario: AWS_SYNTHETIC_TOML,
        vendor: &[
            ("aws/register.json", shipped!("aws/nasa-register.json")),
            ("aws/policy.json", shipped!("aws/llm-code-config.json")),
        ],
    },
    Template {
        kind: AutoscalerKind::Azure,
        origin: "scenarios/azure-ml-endpoint.toml",
        scenario: shipped!("azure-ml-endpoint.toml"),
        vendor: &[(
            "azure/ml-endpoint-autoscale.json",
            shipped!("azure/ml-endpoint-autoscale.json"),
        )],
    },
    Template {
        kind: AutoscalerKind::Azure,
        origin: "Azure properties with a weekly schedule",
        scenario: AZURE_SCHEDULED_TOML,
        vendor: &[("azure/setting.json", AZURE_SCHEDULED)],
    },
    Template {
        kind: AutoscalerKind::Hpa,
        origin: "scenarios/kubernetes-hpa-nasa.toml",
        scenario: shipped!("kubernetes-hpa-nasa.toml"),
        vendor: &[("k8s/nasa-hpa.yaml", shipped!("k8s/nasa-hpa.yaml"))],
    },
    Template {
        kind: AutoscalerKind::Hpa,
        origin: "HPA YAML with Pods metric and behavior",
        scenario: HPA_BEHAVIOR_TOML,
        vendor: &[("k8s/hpa.yaml", HPA_BEHAVIOR_YAML)],
    },
    Template {
        kind: AutoscalerKind::Hpa,
        origin: "HPA JSON manifest on synthetic load",
        scenario: HPA_JSON_TOML,
        vendor: &[("k8s/hpa.json", HPA_JSON)],
    },
    Template {
        kind: AutoscalerKind::Huawei,
        origin: "scenarios/huawei-workspace-sessions.toml",
        scenario: shipped!("huawei-workspace-sessions.toml"),
        vendor: &[(
            "huawei/scaling-policy.json",
            shipped!("huawei/scaling-policy.json"),
        )],
    },
    Template {
        kind: AutoscalerKind::Huawei,
        origin: "Huawei with fixed session lengths",
        scenario: HUAWEI_FIXED_TOML,
        vendor: &[("huawei/policy.json", HUAWEI_SMALL_POLICY)],
    },
    Template {
        kind: AutoscalerKind::Aws,
        origin: "scenarios/llm-endpoint-requests.toml",
        scenario: shipped!("llm-endpoint-requests.toml"),
        vendor: &[
            (
                "aws/llm-conv-register.json",
                shipped!("aws/llm-conv-register.json"),
            ),
            (
                "aws/llm-conv-policy.json",
                shipped!("aws/llm-conv-policy.json"),
            ),
        ],
    },
    Template {
        kind: AutoscalerKind::Aws,
        origin: "request-level model on a bucket trace, random routing, bounded queue",
        scenario: AWS_REQUESTS_TOML,
        vendor: &[
            ("aws/register.json", shipped!("aws/nasa-register.json")),
            ("aws/policy.json", shipped!("aws/llm-code-config.json")),
        ],
    },
    Template {
        kind: AutoscalerKind::Huawei,
        origin: "Huawei on the request-level model",
        scenario: HUAWEI_REQUESTS_TOML,
        vendor: &[("huawei/policy.json", HUAWEI_SMALL_POLICY)],
    },
];

/// The shipped sweep files, whose `[sweep]` tables name real vendor fields.
pub(crate) const SWEEPS: &[Template] = &[
    Template {
        kind: AutoscalerKind::Aws,
        origin: "scenarios/sagemaker-nasa-sweep.toml",
        scenario: shipped!("sagemaker-nasa-sweep.toml"),
        vendor: NASA_AWS,
    },
    Template {
        kind: AutoscalerKind::Hpa,
        origin: "scenarios/kubernetes-hpa-nasa-sweep.toml",
        scenario: shipped!("kubernetes-hpa-nasa-sweep.toml"),
        vendor: &[("k8s/nasa-hpa.yaml", shipped!("k8s/nasa-hpa.yaml"))],
    },
];

/// Parameters a sweep of each kind can name, with values the vendor accepts.
pub(crate) fn sweep_parameters(kind: AutoscalerKind) -> &'static [(&'static str, &'static [f64])] {
    const FLEET: [(&str, &[f64]); 2] = [
        ("capacity_per_instance", &[30.0, 60.0, 120.0]),
        ("provisioning_s", &[0.0, 60.0, 300.0]),
    ];
    match kind {
        AutoscalerKind::Aws => &[
            FLEET[0],
            FLEET[1],
            ("TargetValue", &[20.0, 40.0, 60.0]),
            ("ScaleInCooldown", &[0.0, 300.0, 600.0]),
            ("ScaleOutCooldown", &[0.0, 60.0, 300.0]),
            ("MinCapacity", &[1.0, 2.0]),
            ("MaxCapacity", &[5.0, 10.0]),
            ("metric_delay_s", &[0.0, 60.0, 120.0]),
        ],
        AutoscalerKind::Azure => &[
            FLEET[0],
            FLEET[1],
            ("rules[0].metricTrigger.threshold", &[60.0, 70.0, 80.0]),
            ("rules[1].scaleAction.cooldown", &[300.0, 3600.0]),
            ("capacity.maximum", &[5.0, 8.0]),
            ("metric_delay_s", &[0.0, 60.0]),
        ],
        AutoscalerKind::Hpa => &[
            FLEET[0],
            FLEET[1],
            ("averageUtilization", &[50.0, 67.0, 80.0]),
            ("minReplicas", &[1.0, 2.0]),
            ("maxReplicas", &[10.0, 20.0]),
            ("scaleDown.stabilizationWindowSeconds", &[0.0, 300.0]),
            ("tolerance", &[0.05, 0.1, 0.2]),
        ],
        AutoscalerKind::Huawei => &[
            FLEET[0],
            FLEET[1],
            ("max_scaling_amount", &[2.0, 10.0]),
            ("single_expansion_count", &[1.0, 2.0]),
            ("session_usage_threshold", &[60.0, 85.0]),
            ("shrink_after_session_idle_minutes", &[5.0, 60.0]),
        ],
    }
}
