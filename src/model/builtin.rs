//! The engine's built-in checks, bound by name from rule files (`builtin = "…"`).

/// Engine checks that rules bind by name (`builtin = "…"`), because they are not about values
/// but about the document itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BuiltinCheck {
    /// The file is not valid TOML (message variables: `message`).
    ParseError,
    /// A required key is missing (`key`, `table`).
    MissingKey,
    /// A value has the wrong type or enum value (`key`, `expected`, `found`, `suggestion`,
    /// `unambiguous`: `true` when the suggestion is the one clear closest value, `date`: the
    /// text of a date written as a string).
    WrongType,
    /// A key is unknown (`key`, `table`, `suggestion`, `unambiguous`).
    UnknownKey,
    /// The version key names an unsupported version (`value`, `supported`).
    UnsupportedVersion,
    /// A `file` value cannot be used (`path`, `reason`).
    File,
    /// A waiver lacks its rule id, `reason` or `approver`, has a bad date, or a key it does not
    /// take (`rule`, `missing`, `unknown` — empty unless a key is unknown — and `suggestion`).
    WaiverIncomplete,
    /// A waiver names an unknown rule (`rule`, `suggestion`).
    WaiverUnknownRule,
    /// A waiver's `until` is past (`rule`, `until`, `today`).
    WaiverExpired,
    /// A valid waiver waives nothing (`rule`, `line`).
    WaiverUnused,
}

impl BuiltinCheck {
    pub(crate) const ALL: [(&'static str, BuiltinCheck); 10] = [
        ("parse-error", BuiltinCheck::ParseError),
        ("missing-key", BuiltinCheck::MissingKey),
        ("wrong-type", BuiltinCheck::WrongType),
        ("unknown-key", BuiltinCheck::UnknownKey),
        ("unsupported-version", BuiltinCheck::UnsupportedVersion),
        ("file", BuiltinCheck::File),
        ("waiver-incomplete", BuiltinCheck::WaiverIncomplete),
        ("waiver-unknown-rule", BuiltinCheck::WaiverUnknownRule),
        ("waiver-expired", BuiltinCheck::WaiverExpired),
        ("waiver-unused", BuiltinCheck::WaiverUnused),
    ];

    /// The name rule files use.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("", |(n, _)| n)
    }

    /// The message variables the check provides.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            BuiltinCheck::ParseError => &["message"],
            // `*_zh`: the same in Chinese, for the Chinese message.
            BuiltinCheck::MissingKey => &["key", "table", "table_zh"],
            BuiltinCheck::WrongType => &[
                "key",
                "expected",
                "expected_zh",
                "found",
                "found_zh",
                "suggestion",
                "unambiguous",
                "date",
            ],
            BuiltinCheck::UnknownKey => &["key", "table", "table_zh", "suggestion", "unambiguous"],
            BuiltinCheck::UnsupportedVersion => &["value", "supported"],
            BuiltinCheck::File => &["path", "reason"],
            BuiltinCheck::WaiverIncomplete => &["rule", "missing", "unknown", "suggestion"],
            BuiltinCheck::WaiverUnknownRule => &["rule", "suggestion"],
            BuiltinCheck::WaiverExpired => &["rule", "until", "today"],
            BuiltinCheck::WaiverUnused => &["rule", "line"],
        }
    }
}
