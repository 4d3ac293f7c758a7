//! Reading files that a pull request names: `hegui.toml`'s rule folders and calendar files,
//! and a manifest's `text_file` values. They must resolve (symbolic links followed) inside the
//! repository, outside its `.git` folder, and be regular files no larger than
//! [`MAX_FILE_BYTES`]: a FIFO would block the run forever, a character device (`/dev/zero`)
//! would be read until memory runs out, and `/proc/self/environ` or `.git/config` hold the CI
//! machine's secrets.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::Lang;
pub use crate::text::reason::MAX_FILE_BYTES;
use crate::text::reason::Reason;

/// Why a named file is not read, in a few words (in English; [`Refused::say`] in either
/// language).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[diagnostic(code(hegui::refused))]
pub(crate) enum Refused {
    /// It does not exist or cannot be opened.
    #[error("cannot be read: {0}")]
    Unreadable(Reason),
    /// It resolves outside the repository root.
    #[error("resolves outside the repository")]
    Outside,
    /// It lies in the repository's `.git` folder.
    #[error("lies in the repository's .git folder")]
    GitFolder,
    /// A folder where a file belongs.
    #[error("is a directory")]
    Directory,
    /// A FIFO, socket or device.
    #[error("is not a regular file")]
    Special,
    /// Larger than the cap.
    #[error("is larger than {} MiB", MAX_FILE_BYTES / 1024 / 1024)]
    TooLarge,
    /// Not UTF-8 text (where text is read).
    #[error("is not UTF-8 text")]
    NotUtf8,
}

impl From<Refused> for Reason {
    fn from(refused: Refused) -> Reason {
        match refused {
            Refused::Unreadable(reason) => reason,
            Refused::Outside => Reason::Outside,
            Refused::GitFolder => Reason::GitFolder,
            Refused::Directory => Reason::IsDirectory,
            Refused::Special => Reason::NotRegular,
            Refused::TooLarge => Reason::TooLarge,
            Refused::NotUtf8 => Reason::NotUtf8,
        }
    }
}

impl Refused {
    /// The refusal in `lang`: a predicate of the file (English "… is a directory"), or what
    /// follows "无法使用：" in Chinese.
    pub(crate) fn say(&self, lang: Lang) -> String {
        let mib = MAX_FILE_BYTES / 1024 / 1024;
        match lang {
            Lang::En => self.to_string(),
            Lang::Zh => match self {
                Refused::Unreadable(reason) => format!("无法读取（{}）", reason.say(lang)),
                Refused::TooLarge => format!("大于 {mib} MiB"),
                other => Reason::from(other.clone()).say(lang),
            },
        }
    }
}

/// `path` with symbolic links resolved, if it lies inside `root` (itself resolved) and not in
/// its `.git` folder.
pub(crate) fn resolve_inside(path: &Path, root: &Path) -> Result<PathBuf, Refused> {
    let resolved = path
        .canonicalize()
        .map_err(|e| Refused::Unreadable(Reason::of_io(&e)))?;
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let Ok(inside) = resolved.strip_prefix(&root) else {
        return Err(Refused::Outside);
    };
    if inside
        .components()
        .any(|c| c == Component::Normal(".git".as_ref()))
    {
        return Err(Refused::GitFolder);
    }
    Ok(resolved)
}

/// The bytes of a regular file of at most [`MAX_FILE_BYTES`]; FIFOs, sockets and devices are
/// refused before they are opened.
pub(crate) fn read_regular(path: &Path) -> Result<Vec<u8>, Refused> {
    let unreadable = |e: std::io::Error| Refused::Unreadable(Reason::of_io(&e));
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.is_dir() {
        return Err(Refused::Directory);
    }
    if !meta.is_file() {
        return Err(Refused::Special);
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Refused::TooLarge);
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    // Checked again on the open handle: the path may have been swapped in between.
    if !file.metadata().map_err(unreadable)?.is_file() {
        return Err(Refused::Special);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Refused::TooLarge);
    }
    Ok(bytes)
}

/// [`resolve_inside`] then [`read_regular`].
pub(crate) fn read_inside(path: &Path, root: &Path) -> Result<Vec<u8>, Refused> {
    read_regular(&resolve_inside(path, root)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_regular_file_in_the_root() {
        let dir = std::env::temp_dir().join(format!("hegui-confine-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::write(dir.join("a.txt"), "a").unwrap();
        std::fs::write(dir.join(".git/config"), "secret").unwrap();
        assert_eq!(read_inside(&dir.join("a.txt"), &dir).unwrap(), b"a");
        assert_eq!(
            read_inside(&dir.join(".git/config"), &dir),
            Err(Refused::GitFolder)
        );
        assert_eq!(read_inside(&dir.join(".."), &dir), Err(Refused::Outside));
        assert_eq!(read_inside(&dir, &dir), Err(Refused::Directory));
        assert_eq!(read_regular(Path::new("/dev/zero")), Err(Refused::Special));
        assert_eq!(
            read_inside(&dir.join("missing"), &dir),
            Err(Refused::Unreadable(Reason::NotFound))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
