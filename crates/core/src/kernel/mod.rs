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

/// Floats compared a word at a time, with one bit per float.
pub(crate) const WORD: usize = 64;

/// The bits of the floats of `values` at least `bound` (bit i for `values[i]`), compared as
/// many at once as `width` holds. `width` must be what [`VectorWidth::widest`] gave.
#[inline(always)]
pub(crate) fn word_at_least(values: &[f64; WORD], bound: f64, width: VectorWidth) -> u64 {
    match width {
        // SAFETY: `width` says the CPU has the features the version is compiled for.
        #[cfg(target_arch = "x86_64")]
        VectorWidth::Avx512 => unsafe { words::avx512_at_least(values, bound) },
        #[cfg(target_arch = "x86_64")]
        VectorWidth::Avx2 => unsafe { words::avx2_at_least(values, bound) },
        VectorWidth::Baseline => words::baseline(values, |value| value >= bound),
    }
}

/// The bits of the floats of `values` at most `bound`, as [`word_at_least`].
#[inline(always)]
pub(crate) fn word_at_most(values: &[f64; WORD], bound: f64, width: VectorWidth) -> u64 {
    match width {
        // SAFETY: `width` says the CPU has the features the version is compiled for.
        #[cfg(target_arch = "x86_64")]
        VectorWidth::Avx512 => unsafe { words::avx512_at_most(values, bound) },
        #[cfg(target_arch = "x86_64")]
        VectorWidth::Avx2 => unsafe { words::avx2_at_most(values, bound) },
        VectorWidth::Baseline => words::baseline(values, |value| value <= bound),
    }
}

/// The comparisons of [`word_at_least`] and [`word_at_most`], one version per width: the
/// compiler does not turn a loop of comparisons into bits of a word by itself.
mod words {
    use super::WORD;

    #[inline(always)]
    pub(super) fn baseline(values: &[f64; WORD], holds: impl Fn(f64) -> bool) -> u64 {
        let mut word = 0;
        for (bit, &value) in values.iter().enumerate() {
            word |= u64::from(holds(value)) << bit;
        }
        word
    }

    /// One comparison function per predicate and width: the predicate is a constant of the
    /// instruction.
    macro_rules! compare_words {
        ($name:ident, $feature:literal, $lanes:literal, |$chunk:ident, $bound:ident| $bits:expr) => {
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = $feature)]
            #[inline]
            pub(super) fn $name(values: &[f64; WORD], bound: f64) -> u64 {
                #[allow(unused_imports)]
                use std::arch::x86_64::*;
                let mut word = 0;
                for (index, chunk) in values.chunks_exact($lanes).enumerate() {
                    let $chunk = chunk;
                    let $bound = bound;
                    word |= u64::from($bits) << (index * $lanes);
                }
                word
            }
        };
    }

    // Ordered predicates: false for NaN, as Rust's `>=` and `<=` are.
    compare_words!(avx512_at_least, "avx512f", 8, |chunk, bound| {
        // SAFETY: `chunk` holds 8 floats.
        let values = unsafe { _mm512_loadu_pd(chunk.as_ptr()) };
        _mm512_cmp_pd_mask::<_CMP_GE_OQ>(values, _mm512_set1_pd(bound))
    });
    compare_words!(avx512_at_most, "avx512f", 8, |chunk, bound| {
        // SAFETY: `chunk` holds 8 floats.
        let values = unsafe { _mm512_loadu_pd(chunk.as_ptr()) };
        _mm512_cmp_pd_mask::<_CMP_LE_OQ>(values, _mm512_set1_pd(bound))
    });
    compare_words!(avx2_at_least, "avx2", 4, |chunk, bound| {
        // SAFETY: `chunk` holds 4 floats.
        let values = unsafe { _mm256_loadu_pd(chunk.as_ptr()) };
        _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_GE_OQ>(values, _mm256_set1_pd(bound))) as u32
    });
    compare_words!(avx2_at_most, "avx2", 4, |chunk, bound| {
        // SAFETY: `chunk` holds 4 floats.
        let values = unsafe { _mm256_loadu_pd(chunk.as_ptr()) };
        _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LE_OQ>(values, _mm256_set1_pd(bound))) as u32
    });
}

/// Defines a lane loop `fn $name[generics](args) -> R = body::<generic args>;` that runs `body`
/// (an `#[inline(always)]` function of the same arguments and then a [`VectorWidth`]) compiled
/// for [`VectorWidth::widest`]: `body` is inlined into one version per width, each compiled
/// with that width's target features and handed that width, a constant in it, by which it may
/// choose its instructions ([`word_at_least`]); the call picks a version at run time.
///
/// Core's `unsafe` is this, and [`word_at_least`]'s and [`word_at_most`]'s intrinsics: calling a
/// function compiled for features the CPU may lack, once `widest` has found that it has them.
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
                    $body $(::<$($generic_arg),+>)? (
                        $($arg,)* $crate::kernel::VectorWidth::Avx2
                    )
                }

                #[target_feature(enable = "avx512f,avx512vl,avx2")]
                fn avx512<$($generics)*>($($arg: $ty),*) -> $ret {
                    $body $(::<$($generic_arg),+>)? (
                        $($arg,)* $crate::kernel::VectorWidth::Avx512
                    )
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
            $body $(::<$($generic_arg),+>)? ($($arg,)* $crate::kernel::VectorWidth::Baseline)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every width this CPU has packs the comparisons as the plain loop does: bit i for value
    /// i, ties included, infinite bounds, NaN bounds comparing false.
    #[test]
    fn every_width_packs_each_comparison_into_its_own_bit() {
        let mut widths = vec![VectorWidth::Baseline];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                widths.push(VectorWidth::Avx2);
            }
            if VectorWidth::widest() == VectorWidth::Avx512 {
                widths.push(VectorWidth::Avx512);
            }
        }
        // 0, 1, 2, 0, 1, 2, ... with a few larger values: every bound below ties with some.
        let values: [f64; WORD] =
            std::array::from_fn(|i| if i % 11 == 5 { 1e6 } else { (i % 3) as f64 });
        for bound in [
            -1.0,
            0.0,
            1.0,
            1.5,
            2.0,
            1e6,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ] {
            let mut at_least = 0;
            let mut at_most = 0;
            for (bit, &value) in values.iter().enumerate() {
                at_least |= u64::from(value >= bound) << bit;
                at_most |= u64::from(value <= bound) << bit;
            }
            for &width in &widths {
                assert_eq!(
                    word_at_least(&values, bound, width),
                    at_least,
                    "{width:?} >= {bound}"
                );
                assert_eq!(
                    word_at_most(&values, bound, width),
                    at_most,
                    "{width:?} <= {bound}"
                );
            }
        }
        // Bit 0 and bit 63 are the first and last values.
        let mut edges = [0.0; WORD];
        edges[0] = 5.0;
        edges[WORD - 1] = 5.0;
        for &width in &widths {
            assert_eq!(word_at_least(&edges, 5.0, width), 1 | 1 << 63, "{width:?}");
        }
    }
}
