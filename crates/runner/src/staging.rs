//! Output folders replaced as a unit.
//!
//! A command writes its files into a fresh folder beside the target, named
//! `.<target>.scalesim-<pid>-<nonce>`, and swaps it in only once every file is complete. On Linux
//! the swap is one `renameat2(RENAME_EXCHANGE)`, so at every instant the target holds either the
//! whole old result or the whole new one, even across a SIGKILL or a power cut; elsewhere it is
//! two renames, with a moment in which the target is absent but the old result still whole
//! beside it. The old result, swapped out, is then removed with the rest of the staging folder.
//!
//! Choices the issue leaves open, stated here once:
//! - A target that holds anything scalesim does not write is refused rather than replaced, so
//!   that `--out .` or `--out ~/Desktop` can never delete a person's own files. Files of an
//!   earlier, different command (another vendor's recommendation, a run's files in a sweep's
//!   folder) are scalesim's, and go with the old result.
//! - Nothing is created for a refused or failed command: not the target, not the staging folder,
//!   not the parent folders created to hold them.
//! - Staging folders left by killed processes are removed by the next command that writes beside
//!   them, once the process that made them is gone (checked through `/proc` where it exists).

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::compare::COMPARE_FILES;
use crate::endpoint::VARIANTS_DIR;
use crate::error::OutputError;
use crate::output::{Pending, REQUEST_RUN_FILES, RUN_FILES, pending_target};
use crate::sweep::{SHARD_MANIFEST, SWEEP_FILES};

/// Marks staging folders, between the target's name and the owner's process id.
const STAGING_TAG: &str = ".scalesim-";

/// Prefix of the vendor files a sweep recommends.
const RECOMMENDED_PREFIX: &str = "recommended-";

/// Whether `name` is a file some scalesim command writes into an output folder.
fn is_scalesim_output(name: &str) -> bool {
    let known = |name: &str| {
        RUN_FILES.contains(&name)
            || REQUEST_RUN_FILES.contains(&name)
            || SWEEP_FILES.contains(&name)
            || COMPARE_FILES.contains(&name)
            || name == SHARD_MANIFEST
            || name.starts_with(RECOMMENDED_PREFIX)
    };
    // `.timeseries.csv.a1B2c3`: a file a killed process was still writing under its temp name.
    known(name) || pending_target(name).is_some_and(known)
}

/// An output folder being written: files go into [`Staged::dir`]; [`Staged::commit`] swaps it
/// in; dropped uncommitted, it leaves nothing behind.
#[derive(Debug)]
pub(crate) struct Staged {
    target: PathBuf,
    staging: PathBuf,
    /// Parent folders this command created, deepest first, removed again if it fails.
    created_parents: Vec<PathBuf>,
    committed: bool,
}

/// Refuses a target that is not a folder scalesim may replace: a file, or a folder holding
/// files scalesim did not write. Cheap, so commands call it before a long computation too.
pub fn check_output_folder(target: &Path) -> Result<(), OutputError> {
    let refuse = |message: String| OutputError::Folder {
        path: target.to_owned(),
        message,
    };
    let entries = match fs::read_dir(target) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(_) if target.exists() && !target.is_dir() => {
            return Err(refuse(
                "is a file, not a folder: give a folder for the results with --out".into(),
            ));
        }
        Err(error) => return Err(write_error(target)(error)),
    };
    let mut foreign: Vec<String> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(write_error(target))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().is_ok_and(|kind| kind.is_file());
        let is_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
        if is_dir && name == VARIANTS_DIR {
            // An endpoint run's variants: folders holding nothing but a run's files.
            foreign.extend(
                foreign_in_variants(&entry.path())?
                    .into_iter()
                    .map(|inner| format!("{VARIANTS_DIR}/{inner}")),
            );
        } else if !(is_file && is_scalesim_output(&name)) {
            foreign.push(name);
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let shown: Vec<String> = foreign.iter().take(3).map(|n| format!("{n:?}")).collect();
    let more = foreign.len().saturating_sub(shown.len());
    Err(refuse(format!(
        "holds {}{}, which scalesim did not write: the results replace the folder as a whole, \
         so give an empty or new folder with --out, or move those files",
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )))
}

/// What the `variants` folder `dir` of an endpoint run holds that scalesim did not write there:
/// anything but folders of a run's files.
fn foreign_in_variants(dir: &Path) -> Result<Vec<String>, OutputError> {
    let mut foreign = Vec::new();
    for variant in fs::read_dir(dir).map_err(write_error(dir))? {
        let variant = variant.map_err(write_error(dir))?;
        let name = variant.file_name().to_string_lossy().into_owned();
        if !variant.file_type().is_ok_and(|kind| kind.is_dir()) {
            foreign.push(name);
            continue;
        }
        for file in fs::read_dir(variant.path()).map_err(write_error(dir))? {
            let file = file.map_err(write_error(dir))?;
            let file_name = file.file_name().to_string_lossy().into_owned();
            let is_file = file.file_type().is_ok_and(|kind| kind.is_file());
            if !(is_file && is_scalesim_output(&file_name)) {
                foreign.push(format!("{name}/{file_name}"));
            }
        }
    }
    Ok(foreign)
}

impl Staged {
    /// Checks `target`, clears staging folders of dead processes beside it, and makes a fresh
    /// staging folder.
    pub(crate) fn begin(target: &Path) -> Result<Self, OutputError> {
        check_output_folder(target)?;
        let name = target
            .file_name()
            .filter(|name| *name != "..")
            .ok_or_else(|| OutputError::Folder {
                path: target.to_owned(),
                message: "does not name a folder: give a folder for the results with --out".into(),
            })?;
        let parent = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        };
        let created_parents = create_parents(&parent).map_err(write_error(&parent))?;
        let mut staged = Self {
            target: target.to_owned(),
            staging: PathBuf::new(),
            created_parents,
            committed: false,
        };
        remove_abandoned(&parent, name);
        let mut prefix = OsString::from(".");
        prefix.push(name);
        prefix.push(format!("{STAGING_TAG}{}-", std::process::id()));
        // Several staging folders of one process (threads, tests) differ by a counter.
        static NONCE: AtomicU64 = AtomicU64::new(0);
        loop {
            let mut candidate = prefix.clone();
            candidate.push(NONCE.fetch_add(1, Ordering::Relaxed).to_string());
            let staging = parent.join(candidate);
            match fs::create_dir(&staging) {
                Ok(()) => {
                    staged.staging = staging;
                    return Ok(staged);
                }
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
                Err(error) => return Err(write_error(&staging)(error)),
            }
        }
    }

    /// The folder to write the files into.
    pub(crate) fn dir(&self) -> &Path {
        &self.staging
    }

    /// Where `file`, written into [`Staged::dir`], will be once committed.
    fn final_path(&self, file: &Path) -> PathBuf {
        match file.file_name() {
            Some(name) => self.target.join(name),
            None => self.target.clone(),
        }
    }

    /// Persists `files`, written into [`Staged::dir`], commits, and returns where they now are.
    pub(crate) fn finish(
        self,
        files: impl IntoIterator<Item = Pending>,
    ) -> Result<Vec<PathBuf>, OutputError> {
        let written = files
            .into_iter()
            .map(Pending::persist)
            .collect::<Result<Vec<_>, _>>()?;
        let paths = written.iter().map(|file| self.final_path(file)).collect();
        self.commit()?;
        Ok(paths)
    }

    /// Swaps the complete staging folder in for the target, then removes the old result.
    pub(crate) fn commit(mut self) -> Result<(), OutputError> {
        // The files are synced one by one as they are persisted; the folder's entries too.
        sync_dir(&self.staging).map_err(write_error(&self.staging))?;
        // Checked again: something may have been put there while the command ran.
        check_output_folder(&self.target)?;
        if self.target.exists() {
            swap(&self.staging, &self.target).map_err(write_error(&self.target))?;
        } else {
            fs::rename(&self.staging, &self.target).map_err(write_error(&self.target))?;
        }
        self.committed = true;
        // The staging path now holds the old result (or nothing): best effort, and a stray left
        // here is cleared by the next command.
        let _ = fs::remove_dir_all(&self.staging);
        if let Some(parent) = self.target.parent() {
            let _ = sync_dir(if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            });
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        if !self.staging.as_os_str().is_empty() {
            let _ = fs::remove_dir_all(&self.staging);
        }
        for parent in &self.created_parents {
            // Only if still empty: another process may have put something there since.
            let _ = fs::remove_dir(parent);
        }
    }
}

/// The error for a failed write to `path`, for `map_err`.
fn write_error(path: &Path) -> impl FnOnce(io::Error) -> OutputError {
    let path = path.to_owned();
    move |error| OutputError::Write { path, error }
}

/// Creates `dir` and its missing ancestors, returning those it created, deepest first.
fn create_parents(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut cursor = Some(dir);
    while let Some(path) = cursor {
        if path.as_os_str().is_empty() || path.exists() {
            break;
        }
        missing.push(path.to_owned());
        cursor = path.parent();
    }
    fs::create_dir_all(dir)?;
    Ok(missing)
}

/// Removes staging folders for `name` in `parent` whose process is gone.
fn remove_abandoned(parent: &Path, name: &std::ffi::OsStr) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let mut prefix = String::from(".");
    prefix.push_str(&name.to_string_lossy());
    prefix.push_str(STAGING_TAG);
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let owner = rest
            .split('-')
            .next()
            .and_then(|pid| pid.parse::<u32>().ok());
        let abandoned = match owner {
            Some(pid) => pid != std::process::id() && !process_alive(pid),
            None => false,
        };
        if abandoned {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether process `pid` still runs; where that cannot be told, it is taken as gone, since a
/// staging folder outlives its process only when the process was killed.
fn process_alive(pid: u32) -> bool {
    let proc_root = Path::new("/proc");
    proc_root.is_dir() && proc_root.join(pid.to_string()).exists()
}

#[cfg(target_os = "linux")]
fn swap(staging: &Path, target: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, staging, CWD, target, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // Filesystems without RENAME_EXCHANGE (some network and FUSE ones): two renames.
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS | rustix::io::Errno::NOTSUP) => {
            swap_by_renames(staging, target)
        }
        Err(errno) => Err(errno.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn swap(staging: &Path, target: &Path) -> io::Result<()> {
    swap_by_renames(staging, target)
}

/// Moves the old result aside under a staging name (so that it is cleared like any stray),
/// then the new one into place.
fn swap_by_renames(staging: &Path, target: &Path) -> io::Result<()> {
    let mut aside = staging.as_os_str().to_owned();
    aside.push("-old");
    let aside = PathBuf::from(aside);
    fs::rename(target, &aside)?;
    if let Err(error) = fs::rename(staging, target) {
        let _ = fs::rename(&aside, target);
        return Err(error);
    }
    fs::rename(&aside, staging)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_files_and_their_temp_names_are_scalesim_output() {
        for name in [
            "timeseries.csv",
            "summary.json",
            "results.csv",
            "shard.json",
            "comparison.svg",
            "recommended-put-scaling-policy.json",
            ".timeseries.csv.Ab3xYz",
        ] {
            assert!(is_scalesim_output(name), "{name}");
        }
        for name in ["notes.txt", ".bashrc", "timeseries.csv.bak", ".git"] {
            assert!(!is_scalesim_output(name), "{name}");
        }
    }

    #[test]
    fn a_committed_folder_replaces_the_old_one_whole() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        let target = root.path().join("out");
        fs::create_dir(&target)?;
        fs::write(target.join("summary.json"), "old")?;
        fs::write(target.join("recommended-other.json"), "old")?;
        let staged = Staged::begin(&target)?;
        fs::write(staged.dir().join("summary.json"), "new")?;
        staged.commit()?;
        assert_eq!(fs::read_to_string(target.join("summary.json"))?, "new");
        assert!(!target.join("recommended-other.json").exists());
        let left: Vec<_> = fs::read_dir(root.path())?.collect();
        assert_eq!(left.len(), 1, "only the target is left: {left:?}");
        Ok(())
    }

    #[test]
    fn a_dropped_stage_leaves_nothing_it_created() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        let target = root.path().join("a").join("b").join("out");
        let staged = Staged::begin(&target)?;
        fs::write(staged.dir().join("summary.json"), "new")?;
        drop(staged);
        assert_eq!(fs::read_dir(root.path())?.count(), 0);
        Ok(())
    }

    #[test]
    fn folders_with_other_files_are_refused() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        fs::write(root.path().join("notes.txt"), "mine")?;
        let err = Staged::begin(root.path())
            .map(|_| ())
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("holds \"notes.txt\", which scalesim did not write")),
            "{err:?}"
        );
        assert!(root.path().join("notes.txt").exists());
        Ok(())
    }

    #[test]
    fn a_variants_folder_is_replaced_only_when_it_holds_only_run_files()
    -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        let variant = root.path().join("variants").join("Champion");
        fs::create_dir_all(&variant)?;
        fs::write(variant.join("summary.json"), "old")?;
        check_output_folder(root.path())?;
        fs::write(variant.join("notes.txt"), "mine")?;
        fs::write(root.path().join("variants").join("thesis.tex"), "mine")?;
        let err = check_output_folder(root.path()).map_err(|e| e.to_string());
        assert!(
            err.as_ref().is_err_and(|e| e.contains(
                "holds \"variants/Champion/notes.txt\", \"variants/thesis.tex\", which scalesim \
                 did not write"
            )),
            "{err:?}"
        );
        Ok(())
    }

    #[test]
    fn abandoned_staging_folders_are_cleared() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        // No process has pid 0 in /proc, so this folder's owner is gone.
        let stray = root.path().join(".out.scalesim-0-7");
        fs::create_dir(&stray)?;
        let staged = Staged::begin(&root.path().join("out"))?;
        assert!(!stray.exists());
        drop(staged);
        Ok(())
    }
}
