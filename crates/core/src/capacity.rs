//! Capacity bounds and the one clamp every desired capacity passes through.

use crate::error::BuildError;

/// The inclusive range `[min, max]` an autoscaler keeps desired capacity in
/// (MinCapacity/MaxCapacity, minimum/maximum, minReplicas/maxReplicas).
///
/// Invariant: `min <= max`, checked by [`CapacityBounds::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapacityBounds {
    min: u32,
    max: u32,
}

impl CapacityBounds {
    /// Bounds `[min, max]`; fails when `min > max`.
    pub fn new(min: u32, max: u32) -> Result<Self, BuildError> {
        if min > max {
            return Err(BuildError::InvalidBounds { min, max });
        }
        Ok(Self { min, max })
    }

    /// The lower bound.
    pub fn min(self) -> u32 {
        self.min
    }

    /// The upper bound.
    pub fn max(self) -> u32 {
        self.max
    }

    /// The spec's `clamp(desired, min, max)`: the only place a capacity is clamped.
    pub fn clamp(self, desired: u32) -> u32 {
        desired.clamp(self.min, self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamp_keeps_values_inside_and_pulls_outside_ones_to_the_edge() {
        let bounds = CapacityBounds::new(1, 8).unwrap();
        assert_eq!(bounds.clamp(0), 1);
        assert_eq!(bounds.clamp(5), 5);
        assert_eq!(bounds.clamp(10), 8);
    }

    #[test]
    fn min_above_max_is_rejected() {
        assert_eq!(
            CapacityBounds::new(3, 2),
            Err(BuildError::InvalidBounds { min: 3, max: 2 })
        );
    }
}
