//! The pure, deterministic model of scalesim: a fleet of identical instances, the demand it
//! serves step by step, and the autoscaler that sets its desired capacity.
//!
//! - [`Demand`] holds arrivals per step, built from a trace's buckets ([`Demand::from_buckets`]).
//! - [`Autoscaler`] is the trait every policy implements; [`TargetTracking`] is AWS Application
//!   Auto Scaling's target tracking on a SageMaker variant.
//! - [`Simulation`] runs the step loop and hands each [`StepRecord`] and [`ScalingEvent`] to a
//!   [`Sink`] by reference; [`SummarySink`] accumulates the [`Summary`] figures.
//!
//! Nothing here reads files, spawns threads or looks at a clock: the same inputs give the same
//! records, bit for bit.
//!
//! ```
//! use scalesim_core::{
//!     Demand, FleetConfig, ScalableTarget, Simulation, SummarySink, TargetTracking,
//!     TargetTrackingScalingPolicyConfiguration,
//! };
//!
//! // 700 invocations a minute for 10 minutes against a target of 70 per instance.
//! let demand = Demand::per_step(60, vec![700.0; 10])?;
//! let policy = TargetTracking::new(
//!     ScalableTarget::new(1, 8)?,
//!     TargetTrackingScalingPolicyConfiguration::new(70.0, 300, 300, false)?,
//!     0,
//! )?;
//! let fleet = FleetConfig {
//!     capacity_per_instance_per_min: 1000.0,
//!     initial_instances: 1,
//!     provisioning_s: 0,
//! };
//! let mut simulation = Simulation::builder(fleet).autoscaler(policy).demand(&demand).build()?;
//! let mut summary = SummarySink::new();
//! simulation.run(&mut summary);
//! // AlarmHigh fires after 3 datapoints; ceil(700 / 70) = 10 is clamped to MaxCapacity 8.
//! assert_eq!(summary.summary().map(|s| s.peak_in_service), Some(8));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod autoscaler;
mod capacity;
mod demand;
mod elasticity;
mod error;
mod fleet;
mod kernel;
mod limits;
mod metrics;
mod queueing;
mod requests;
mod service_level;
mod sessions;
mod sim;
mod synthetic;

pub use crate::{
    autoscaler::aws::{
        Alarm, HighResolutionAlarm, ScalableTarget, TargetTracking, TargetTrackingReason,
        TargetTrackingScalingPolicyConfiguration,
        cloudwatch::{
            AlarmBreach, ComparisonOperator as AwsComparisonOperator, MAX_ALARM_WINDOW_S,
            MAX_LONG_ALARM_WINDOW_S, MetricAlarm, MetricMathQuery, MetricQuery, MetricSource,
            MetricStatistic, SageMakerMetric, TreatMissingData, max_alarm_window_s,
        },
        metric_math::{
            MAX_METRIC_MATH_DEPTH, MAX_METRIC_MATH_STEPS, MathOperator, MetricMath,
            MetricMathBuilder, MetricMathError, MetricMathTerm,
        },
        scaling::{
            AdjustmentType, ApplicationAutoScaling, MAX_ALARM_MATH_WORK, MetricAggregationType,
            PolicyName, ScalingPolicy, ScheduledAction, ScheduledActionReason, StepAdjustment,
            StepScalingPolicy, StepScalingReason, TargetTrackingPolicy, adjusted,
        },
    },
    autoscaler::azure::{
        AutoscaleProfile, AutoscaleSetting, AzureAutoscale, AzureMetric, AzureReason,
        ComparisonOperator, MetricTrigger, ProfileSchedule, Projection, RuleOutcome, ScaleAction,
        ScaleCapacity, ScaleDirection, ScaleRule, ScaleType, Statistic, TimeAggregation,
    },
    autoscaler::hpa::{
        HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, HpaMetric, HpaReason,
        HpaScalingPolicy, HpaScalingRules, LimitCondition, MetricTarget, PodPhase, PodSample,
        PolicyKind, ReplicaCount, ScaleEvent, SelectPolicy, Tolerance, object_replica_count,
        pod_replica_count, rate_limited, stabilize,
    },
    autoscaler::huawei::{
        HuaweiReason, ResourceThresholds, SessionWeights, Trigger, WorkspaceScaling,
        WorkspaceScalingPolicy,
    },
    autoscaler::knative::{
        KnativePodAutoscaler, KpaMetric, KpaReason, KpaRule, KpaSpec, MAX_KPA_PODS, PaState,
        WindowAlgorithm,
        buckets::{Buckets as KpaBuckets, smoothing_coefficient},
        decider::{Decider as KpaDecider, DeciderSpec, DeciderTrace, ScaleResult},
    },
    autoscaler::{
        Autoscaler, LatencyNeed, Observation, Proposal, ScalingReason, ServerView, StepOutcome,
    },
    capacity::CapacityBounds,
    demand::{Bucket, BucketWindow, Demand},
    elasticity::{Elasticity, ElasticitySink},
    error::BuildError,
    fleet::{CapacityChange, Fleet, FleetConfig, Removal, ServiceModel},
    kernel::azure::{azure_autoscale_summaries, azure_autoscale_summary},
    kernel::azure_lanes::LANES as AZURE_SWEEP_LANES,
    kernel::hpa::{hpa_summaries, hpa_summary},
    kernel::huawei::{huawei_workspace_summaries, huawei_workspace_summary},
    kernel::requests::run_sharing_draws,
    kernel::{
        KernelService, RunFigures,
        aws::{
            KernelSweep, LANES as SWEEP_LANES, target_tracking_summaries, target_tracking_summary,
            target_tracking_sweep,
        },
    },
    limits::{
        MAX_COUNT, MAX_INSTANCE_SECONDS, MAX_SESSION_SERVERS, MAX_SESSION_SLOTS,
        MAX_SESSION_STARTS, MAX_STEP_S, MAX_STEPS, MIN_CAPACITY,
    },
    metrics::{Summary, SummarySink},
    queueing::{erlang_c, mean_response_s, mean_wait_s},
    requests::{
        Arrivals, InFlight, LATENCY_CDF_QUANTILES, MAX_ARRIVAL_S, MAX_CONCURRENCY, MAX_QUEUE,
        MAX_QUEUE_TIMEOUT_S, MAX_REQUESTS, MAX_SERVICE_S, MAX_SLOTS, MIN_MEAN_SERVICE_S, Outcome,
        RequestConfig, RequestRecord, RequestStep, RequestSummary, RequestTrace, Routing,
        SHARED_BATCH, ServiceTime,
    },
    service_level::{FluidLatency, ServiceLevel, ServiceLevelObjective, ServiceLevelSink},
    sessions::{Server, ServerGroup, SessionConfig, SessionLength},
    sim::{ScalingEvent, Simulation, SimulationBuilder, Sink, StepRecord},
    synthetic::{Combine, Distribution, Noise, Shape, SyntheticLoad, add_noise},
};
