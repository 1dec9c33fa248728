//! Runnable examples of scalesim; each is an `[[example]]` target beside this empty library.
