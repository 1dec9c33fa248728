//! Temporary stand-in while plot.rs is written.
#![allow(missing_docs, unreachable_pub, dead_code)]
#[derive(Debug, Clone, Default)]
pub(crate) struct Timeline {
    pub(crate) step_s: u64,
    pub(crate) demand: Vec<f64>,
    pub(crate) capacity: Vec<f64>,
    pub(crate) unserved: Vec<f64>,
    pub(crate) in_service: Vec<u32>,
    pub(crate) desired: Vec<u32>,
    pub(crate) events: Vec<EventMark>,
}
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EventMark {
    pub(crate) t_s: u64,
    pub(crate) from: u32,
    pub(crate) to: u32,
}
#[derive(Debug, thiserror::Error)]
#[error("stub")]
pub(crate) struct PlotError;
pub(crate) fn render_png(_: &Timeline, _: &str) -> Result<Vec<u8>, PlotError> {
    Ok(vec![])
}
pub(crate) fn render_svg(_: &Timeline, _: &str) -> Result<String, PlotError> {
    Ok(String::new())
}
