//! Why a file or folder cannot be read, in either language. The operating system words its
//! errors in English; users read Chinese first, so each reason hegui gives is its own, said in
//! the language of the run (an uncommon system error is named by its code in Chinese).

use std::fmt;

use crate::text::severity::Lang;

/// The largest file read on a pull request's say (64 MiB).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a path cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// Nothing at that path.
    NotFound,
    /// No permission to read it.
    PermissionDenied,
    /// A folder where a file belongs.
    IsDirectory,
    /// A path through something that is not a folder.
    NotADirectory,
    /// A FIFO, socket or device.
    NotRegular,
    /// Larger than [`MAX_FILE_BYTES`].
    TooLarge,
    /// Not UTF-8 text.
    NotUtf8,
    /// A named folder that does not exist.
    NoSuchFolder,
    /// A symbolic link whose target is missing, or links that loop.
    BrokenLink,
    /// A symbolic link to a place outside the repository (not followed).
    LinkLeavesRepository,
    /// A symbolic link to something that is not a file.
    LinkNotToFile,
    /// A symbolic link back to a folder above it, while walking.
    LinkLoop(String),
    /// It resolves outside the repository root.
    Outside,
    /// It lies in the repository's `.git` folder.
    GitFolder,
    /// Another system error: its code (when it has one) and the system's English text.
    System(Option<i32>, String),
}

impl Reason {
    /// The reason an I/O error gives.
    pub fn of_io(e: &std::io::Error) -> Reason {
        use std::io::ErrorKind;
        match e.kind() {
            ErrorKind::NotFound => Reason::NotFound,
            ErrorKind::PermissionDenied => Reason::PermissionDenied,
            ErrorKind::IsADirectory => Reason::IsDirectory,
            ErrorKind::NotADirectory => Reason::NotADirectory,
            ErrorKind::FileTooLarge => Reason::TooLarge,
            ErrorKind::InvalidData => Reason::NotUtf8,
            _ => Reason::System(e.raw_os_error(), e.to_string()),
        }
    }

    /// The reason in `lang`, a few words that follow "cannot be read:" / "无法读取：".
    pub fn say(&self, lang: Lang) -> String {
        let mib = MAX_FILE_BYTES / 1024 / 1024;
        match (self, lang) {
            (Reason::NotFound, Lang::Zh) => "文件不存在".into(),
            (Reason::NotFound, Lang::En) => "no such file".into(),
            (Reason::PermissionDenied, Lang::Zh) => "没有读取权限".into(),
            (Reason::PermissionDenied, Lang::En) => "permission denied".into(),
            (Reason::IsDirectory, Lang::Zh) => "是文件夹，不是文件".into(),
            (Reason::IsDirectory, Lang::En) => "is a directory".into(),
            (Reason::NotADirectory, Lang::Zh) => "路径中有一段不是文件夹".into(),
            (Reason::NotADirectory, Lang::En) => "a part of the path is not a directory".into(),
            (Reason::NotRegular, Lang::Zh) => "不是普通文件（管道、套接字或设备）".into(),
            (Reason::NotRegular, Lang::En) => "not a regular file".into(),
            (Reason::TooLarge, Lang::Zh) => format!("超过 {mib} MiB"),
            (Reason::TooLarge, Lang::En) => format!("larger than {mib} MiB"),
            (Reason::NotUtf8, Lang::Zh) => "不是 UTF-8 文本".into(),
            (Reason::NotUtf8, Lang::En) => "not UTF-8 text".into(),
            (Reason::NoSuchFolder, Lang::Zh) => "文件夹不存在".into(),
            (Reason::NoSuchFolder, Lang::En) => "no such folder".into(),
            (Reason::BrokenLink, Lang::Zh) => "符号链接已断开或循环".into(),
            (Reason::BrokenLink, Lang::En) => "a broken or looping symbolic link".into(),
            (Reason::LinkLeavesRepository, Lang::Zh) => "符号链接指向仓库之外（不跟随）".into(),
            (Reason::LinkLeavesRepository, Lang::En) => {
                "a symbolic link that leaves the repository (not followed)".into()
            }
            (Reason::LinkNotToFile, Lang::Zh) => "符号链接指向的不是文件".into(),
            (Reason::LinkNotToFile, Lang::En) => "a symbolic link to something not a file".into(),
            (Reason::LinkLoop(back), Lang::Zh) => format!("符号链接形成循环（回到 {back}）"),
            (Reason::LinkLoop(back), Lang::En) => {
                format!("a symbolic link loop (back to {back})")
            }
            (Reason::Outside, Lang::Zh) => "位于仓库之外".into(),
            (Reason::Outside, Lang::En) => "it resolves outside the repository".into(),
            (Reason::GitFolder, Lang::Zh) => "位于仓库的 .git 文件夹中".into(),
            (Reason::GitFolder, Lang::En) => "it lies in the repository's .git folder".into(),
            (Reason::System(Some(code), _), Lang::Zh) => format!("系统错误（错误码 {code}）"),
            (Reason::System(None, _), Lang::Zh) => "系统错误".into(),
            (Reason::System(_, text), Lang::En) => text.clone(),
        }
    }
}

/// In English, as library errors are worded ([`Reason::say`] gives either language).
impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.say(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_is_said_in_one_language() {
        let all = [
            Reason::NotFound,
            Reason::PermissionDenied,
            Reason::IsDirectory,
            Reason::NotADirectory,
            Reason::NotRegular,
            Reason::TooLarge,
            Reason::NotUtf8,
            Reason::NoSuchFolder,
            Reason::BrokenLink,
            Reason::LinkLeavesRepository,
            Reason::LinkNotToFile,
            Reason::LinkLoop("/1/2".into()),
            Reason::Outside,
            Reason::GitFolder,
            Reason::System(Some(5), "Input/output error (os error 5)".into()),
            Reason::System(None, "odd".into()),
        ];
        for r in all {
            let zh = r.say(Lang::Zh);
            let en = r.say(Lang::En);
            let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert!(cjk(&zh), "{r:?}: {zh}");
            // No English in Chinese: at most units and names (MiB, UTF-8, .git).
            let words = zh.split(|c: char| !c.is_ascii_alphabetic());
            for w in words.filter(|w| !w.is_empty()) {
                assert!(["MiB", "UTF", "git"].contains(&w), "{r:?}: {zh}");
            }
            assert!(!cjk(&en), "{r:?}: {en}");
        }
    }

    #[test]
    fn io_errors_map_to_reasons() {
        let missing = std::fs::read("/nonexistent-hegui/x").unwrap_err();
        assert_eq!(Reason::of_io(&missing), Reason::NotFound);
        let dir = std::fs::read("/").unwrap_err();
        assert_eq!(Reason::of_io(&dir), Reason::IsDirectory);
    }
}
