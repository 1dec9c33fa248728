//! Sweep kernels: one per autoscaler, each the general engine ([`crate::Simulation`] with the
//! autoscaler, a [`crate::Fleet`] and a [`crate::SummarySink`]) reduced to the state a sweep's
//! runs need, so that thousands of policies over one trace cost little more than reading it.
//!
//! **Invariant:** a kernel gives the general engine's [`crate::Summary`] bit for bit, for every
//! run it accepts; it says `None` for a run it does not cover, and the caller then runs the
//! general engine. Property tests (`crates/core/tests/integration/properties.rs`) hold each
//! kernel to that on random policies and traces.
//!
//! The lane loops ([`aws`], [`azure_lanes`]) are compiled for the widest vectors the CPU has
//! by [`lane_loop_versions!`]; [`VectorWidth`] is the choice.

pub(crate) mod aws;
pub(crate) mod azure;
pub(crate) mod azure_lanes;
pub(crate) mod hpa;
pub(crate) mod huawei;
pub(crate) mod requests;

use crate::fleet::ServiceModel;
use crate::metrics::Summary;
use crate::service_level::{ServiceLevel, ServiceLevelObjective};

/// The widest vectors a lane loop is compiled for that this CPU has.
///
/// The build targets any x86-64, whose vectors (SSE2) hold two floats and cannot compare 64-bit
/// integers, so a lane loop of eight runs gains from AVX2 and more from AVX-512 where they
/// exist. The operations and their order are the same in every version, and Rust never fuses
/// or reorders float arithmetic, so the figures are the same bits whichever runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VectorWidth {
    /// What the build targets: SSE2 on x86-64, or another architecture's baseline.
    Baseline,
    /// AVX2: four floats.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// AVX-512 F and VL: eight floats, and masks for the 256-bit operations as well.
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl VectorWidth {
    /// The widest this CPU has. Std caches what the CPU reports, so each call costs a few
    /// loads, not a CPUID.
    pub(crate) fn widest() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512vl")
            {
                return Self::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Self::Avx2;
            }
        }
        Self::Baseline
    }
}

/// Defines a lane loop `fn $name[generics](args) -> R = body::<generic args>;` that runs `body`
/// (an `#[inline(always)]` function of the same signature) compiled for
/// [`VectorWidth::widest`]: `body` is inlined into one version per width, each compiled with
/// that width's target features, and the call picks one at run time.
///
/// This is where core's only `unsafe` lives: calling a function compiled for features the CPU
/// may lack.
macro_rules! lane_loop_versions {
    (
        $(#[$attr:meta])*
        fn $name:ident [$($generics:tt)*] ($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty
            = $body:ident $(::<$($generic_arg:tt),+>)?;
    ) => {
        $(#[$attr])*
        fn $name<$($generics)*>($($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                fn avx2<$($generics)*>($($arg: $ty),*) -> $ret {
                    $body $(::<$($generic_arg),+>)? ($($arg),*)
                }

                #[target_feature(enable = "avx512f,avx512vl,avx2")]
                fn avx512<$($generics)*>($($arg: $ty),*) -> $ret {
                    $body $(::<$($generic_arg),+>)? ($($arg),*)
                }

                match $crate::kernel::VectorWidth::widest() {
                    $crate::kernel::VectorWidth::Avx512 => {
                        // SAFETY: `widest` has just found that the CPU has AVX-512 F and VL,
                        // and every CPU that does has AVX2: the features `avx512` is compiled
                        // for.
                        return unsafe { avx512 $(::<$($generic_arg),+>)? ($($arg),*) };
                    }
                    $crate::kernel::VectorWidth::Avx2 => {
                        // SAFETY: `widest` has just found that the CPU has AVX2, the feature
                        // `avx2` is compiled for.
                        return unsafe { avx2 $(::<$($generic_arg),+>)? ($($arg),*) };
                    }
                    $crate::kernel::VectorWidth::Baseline => {}
                }
            }
            $body $(::<$($generic_arg),+>)? ($($arg),*)
        }
    };
}
pub(crate) use lane_loop_versions;

/// How the fleets of a kernel's runs serve, and what it measures besides the summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KernelService {
    /// What happens to the requests the fleet cannot serve.
    pub model: ServiceModel,
    /// A mean service time (seconds) and the `[slo]` to measure the service level against, as
    /// [`crate::ServiceLevelSink`] measures it (a run for which it cannot be built gets none).
    pub service_level: Option<(f64, ServiceLevelObjective)>,
}

impl KernelService {
    /// Requests beyond capacity dropped, no service level measured.
    pub const THROTTLE: Self = Self {
        model: ServiceModel::Throttle,
        service_level: None,
    };
}

/// What a kernel gives of one run: what the general engine's sinks would have given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunFigures {
    /// [`crate::SummarySink`]'s.
    pub summary: Summary,
    /// [`crate::ServiceLevelSink`]'s, when a service level is measured.
    pub service_level: Option<ServiceLevel>,
}
