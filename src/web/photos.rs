//! The photos runs cut their patches from, in the worker: the bundled ones (decoded by the
//! browser in www/worker.js and handed over once) and the visitor's own uploads, which stay
//! in this worker's memory (never sent anywhere) until cleared.

use std::cell::RefCell;
use std::rc::Rc;

use super::protocol::{FileContent, LocalFile, Reply, Rgba};
use crate::data::local::{self, photo_from_rgba, LocalImageError, LocalPhotos};
use crate::data::photos::{self, Photo};

thread_local! {
    /// The visitor's photos in use, or None for the bundled ones.
    static ACTIVE: RefCell<Option<Rc<Vec<Photo>>>> = const { RefCell::new(None) };
}

/// The visitor's photos new sessions use instead of the bundled ones, if any.
pub fn active() -> Option<Rc<Vec<Photo>>> {
    ACTIVE.with(|a| a.borrow().clone())
}

/// Makes `images` the bundled photos of every later run (they must be the whole set in
/// order: `data::photos::bundled_names`); a run that decoded them already keeps its own.
pub fn provide_bundled(images: Vec<Rgba>) -> Result<bool, LocalImageError> {
    let photos = images
        .into_iter()
        .map(|i| photo_from_rgba(&i.name, i.width as usize, i.height as usize, &i.rgba))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(photos::provide_bundled(photos))
}

/// Takes the visitor's files for runs with base patches of side `base`: the photos in use
/// become the usable ones, with a notice per file left out; when none is usable, the photos
/// in use stay as they were and `problems` says why for every file.
pub fn use_local(base: u32, files: Vec<LocalFile>) -> Reply {
    let mut set = LocalPhotos::new(base as usize);
    for LocalFile {
        name,
        bytes,
        content,
    } in files
    {
        let bytes = if bytes.is_finite() && bytes >= 0.0 {
            bytes as u64
        } else {
            u64::MAX
        };
        if set.check_file(&name, bytes).is_some() {
            continue;
        }
        match content {
            FileContent::NotAnImage { reason } => set.not_an_image(&name, &reason),
            FileContent::Decoded {
                width,
                height,
                rgba,
            } => {
                let (w, h) = (width as usize, height as usize);
                if set.check_size(&name, w, h).is_none() {
                    set.add_rgba(&name, w, h, &rgba);
                }
            }
        }
    }
    match set.finish() {
        Ok((photos, skipped)) => {
            let count = photos.len() as u32;
            ACTIVE.with(|a| *a.borrow_mut() = Some(Rc::new(photos)));
            Reply::LocalPhotos {
                count,
                notices: skipped.iter().map(ToString::to_string).collect(),
                problems: Vec::new(),
            }
        }
        Err(e) => Reply::LocalPhotos {
            count: active().map_or(0, |p| p.len() as u32),
            notices: Vec::new(),
            problems: vec![e.to_string()],
        },
    }
}

/// Back to the bundled photos.
pub fn clear_local() {
    ACTIVE.with(|a| *a.borrow_mut() = None);
}

/// Notices about the active photos for a run with base patches of side `base`: those too
/// small for it are left out.
pub fn notices(photos: &[Photo], base: usize) -> Vec<String> {
    let small: Vec<&str> = photos
        .iter()
        .filter(|p| !local::fits(p.width, p.height, base))
        .map(|p| p.name.as_str())
        .collect();
    if small.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "left out of this run, smaller than the base patch ({base} px a side): {}",
        small.join(", ")
    )]
}
