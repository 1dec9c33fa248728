//! Runnable examples of scalesim live beside this crate as `[[example]]` targets.
