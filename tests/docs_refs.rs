//! Every comment and doc points at something the repo has: file paths such as
//! `src/gpu/matmul.rs` or `www/data/` exist, `docs/math.md §n` names a numbered section of
//! that page, a markdown link's target exists, and nothing cites the design notes this repo
//! never had (their names are built below so this file does not cite them itself).

use std::fs;
use std::path::{Path, PathBuf};

/// Folders whose text files are scanned (recursively), and single files at the root.
const SCANNED_DIRS: &[&str] = &[
    "src", "shaders", "www", "tests", "bench", "scripts", "docs", ".ci",
];
const SCANNED_FILES: &[&str] = &["README.md", "index.html", "Cargo.toml", "package.json"];
/// Build outputs: written by the scripts, git-ignored, so never scanned and allowed as
/// references although a fresh checkout lacks them.
const GENERATED: &[&str] = &["www/pkg", "out", "dist", "target", "test-output"];
/// Where a cited path may start.
const PATH_ROOTS: &[&str] = &[
    "docs/", "src/", "shaders/", "www/", "tests/", "bench/", "scripts/", ".ci/", ".cargo/",
];
/// File names a test uses on purpose because they do not exist.
const DELIBERATELY_MISSING: &str = "no-such";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn is_generated(rel: &str) -> bool {
    GENERATED
        .iter()
        .any(|g| rel == *g || rel.starts_with(&format!("{g}/")))
}

fn is_text(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let folder = path.parent().and_then(|p| p.file_name());
    let in_scripts = folder.is_some_and(|f| f == "scripts" || f == ".ci");
    matches!(
        ext,
        "rs" | "wgsl" | "js" | "mjs" | "py" | "md" | "html" | "css" | "toml" | "json" | "txt"
    ) || (ext.is_empty() && in_scripts)
}

/// The repo's text files as (path relative to the root, contents).
fn text_files() -> Vec<(String, String)> {
    let root = root();
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = SCANNED_DIRS.iter().map(|d| root.join(d)).collect();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let rel = relative(&root, &path);
            if is_generated(&rel) {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if is_text(&path) {
                if let Ok(text) = fs::read_to_string(&path) {
                    out.push((rel, text));
                }
            }
        }
    }
    for f in SCANNED_FILES {
        out.push((f.to_string(), fs::read_to_string(root.join(f)).unwrap()));
    }
    out
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap();
    rel.to_string_lossy().replace('\\', "/")
}

fn path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-')
}

/// Repo paths cited in `text`: a [`PATH_ROOTS`] prefix not preceded by a path character,
/// up to the first character that cannot be in a path, without trailing punctuation.
fn cited_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, _) in text.char_indices() {
        let before = text[..i].chars().next_back();
        if before.is_some_and(path_char) {
            continue;
        }
        let rest = &text[i..];
        if !PATH_ROOTS.iter().any(|r| rest.starts_with(r)) {
            continue;
        }
        let end = rest.find(|c: char| !path_char(c)).unwrap_or(rest.len());
        let path = rest[..end].trim_end_matches(['.', '/']);
        out.push((line_of(text, i), path.to_string()));
    }
    out
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte].matches('\n').count() + 1
}

/// Section numbers `n` of the `## n.` headings of a markdown page.
fn sections(page: &str) -> Vec<u32> {
    page.lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter_map(|h| h.split('.').next()?.trim().parse().ok())
        .collect()
}

/// The numbers in a citation's tail such as `§4–6` (4, 5, 6) or `§2`.
fn cited_sections(tail: &str) -> Vec<u32> {
    let Some(rest) = tail.strip_prefix('§') else {
        return Vec::new();
    };
    let digits = |s: &str| -> (Option<u32>, usize) {
        let n = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        (s[..n].parse().ok(), n)
    };
    let (Some(first), used) = digits(rest) else {
        return Vec::new();
    };
    let after = &rest[used..];
    match after.strip_prefix('–').or_else(|| after.strip_prefix('-')) {
        Some(range) => match digits(range).0 {
            Some(last) => (first..=last).collect(),
            None => vec![first],
        },
        None => vec![first],
    }
}

/// GitHub's anchor for a heading: lower case, spaces to hyphens, other punctuation dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(page: &str) -> Vec<String> {
    page.lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| slug(l.trim_start_matches('#')))
        .collect()
}

/// Problems with one citation of `path` at `line` of `file`, whose text continues `tail`.
fn check_citation(file: &str, line: usize, path: &str, tail: &str) -> Vec<String> {
    if is_generated(path) {
        return Vec::new();
    }
    let full = root().join(path);
    if tail.starts_with('*') {
        return match glob_matches(&full) {
            true => Vec::new(),
            false => vec![format!("{file}:{line}: nothing matches `{path}*`")],
        };
    }
    if !full.exists() {
        return vec![format!("{file}:{line}: `{path}` does not exist")];
    }
    if !path.ends_with(".md") {
        return Vec::new();
    }
    let page = fs::read_to_string(&full).unwrap();
    let tail = tail.trim_start_matches(' ');
    let have = sections(&page);
    let mut problems: Vec<String> = cited_sections(tail)
        .into_iter()
        .filter(|n| !have.contains(n))
        .map(|n| format!("{file}:{line}: `{path}` has no section {n}"))
        .collect();
    if let Some(anchor) = tail.strip_prefix('#') {
        let anchor: String = anchor.chars().take_while(|c| path_char(*c)).collect();
        let anchor = anchor.trim_end_matches('.');
        if !anchors(&page).iter().any(|a| a == anchor) {
            problems.push(format!("{file}:{line}: `{path}` has no heading #{anchor}"));
        }
    }
    problems
}

/// Whether some entry of `prefix`'s folder has a name starting with `prefix`'s last part
/// (a citation such as `www/cell-*.js`).
fn glob_matches(prefix: &Path) -> bool {
    let (Some(dir), Some(start)) = (prefix.parent(), prefix.file_name()) else {
        return false;
    };
    let start = start.to_string_lossy();
    fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with(start.as_ref()))
    })
}

/// Relative targets of markdown links `](target)` in a markdown file.
fn markdown_links(text: &str) -> Vec<(usize, String)> {
    text.match_indices("](")
        .filter_map(|(i, _)| {
            let rest = &text[i + 2..];
            let target = &rest[..rest.find(')')?];
            let local = !target.contains("://") && !target.starts_with(['#', '<']);
            let local = local && !target.starts_with("mailto:") && !target.contains(' ');
            local.then(|| (line_of(text, i), target.to_string()))
        })
        .collect()
}

fn forbidden_names() -> [String; 2] {
    [["SP", "EC"].concat(), ["NO", "TES"].concat()]
}

/// Whole-word occurrences of the names of files this repo does not have.
fn cites_missing_notes(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for name in forbidden_names() {
        for (i, _) in text.match_indices(name.as_str()) {
            let before = text[..i].chars().next_back();
            let after = text[i + name.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            if !word(before) && !word(after) {
                out.push((line_of(text, i), name.clone()));
            }
        }
    }
    out
}

fn all_problems() -> Vec<String> {
    let mut problems = Vec::new();
    for (file, text) in text_files() {
        for (line, path) in cited_paths(&text) {
            let name = path.rsplit('/').next().unwrap_or(&path);
            if name.starts_with(DELIBERATELY_MISSING) {
                continue;
            }
            let at = text.lines().nth(line - 1).unwrap_or("");
            let tail = at.split(path.as_str()).nth(1).unwrap_or("");
            problems.extend(check_citation(&file, line, &path, tail));
        }
        if file.ends_with(".md") {
            let dir = Path::new(&file).parent().unwrap_or(Path::new(""));
            for (line, target) in markdown_links(&text) {
                let (path, anchor) = target.split_once('#').unwrap_or((&target, ""));
                let joined = dir.join(path).to_string_lossy().replace('\\', "/");
                let tail = if anchor.is_empty() {
                    String::new()
                } else {
                    format!("#{anchor}")
                };
                problems.extend(check_citation(&file, line, &joined, &tail));
            }
        }
        for (line, name) in cites_missing_notes(&text) {
            problems.push(format!(
                "{file}:{line}: cites `{name}`, a file the repo lacks"
            ));
        }
    }
    problems
}

#[test]
fn every_cited_file_and_section_exists() {
    let problems = all_problems();
    assert!(
        problems.is_empty(),
        "{} broken references:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_scan_sees_citations_and_catches_broken_ones() {
    let text = "see src/lib.rs, docs/math.md §4–6 and `shaders/matmul.wgsl`.\nx/src/no";
    let paths: Vec<String> = cited_paths(text).into_iter().map(|(_, p)| p).collect();
    assert_eq!(paths, ["src/lib.rs", "docs/math.md", "shaders/matmul.wgsl"]);
    assert_eq!(cited_sections("§4–6 and"), [4, 5, 6]);
    assert_eq!(cited_sections("§2, the"), [2]);
    assert!(check_citation("t", 1, "docs/math.md", " §4–6").is_empty());
    assert_eq!(check_citation("t", 1, "docs/math.md", " §99").len(), 1);
    assert_eq!(check_citation("t", 1, "src/no-such-file.rs", "").len(), 1);
    let (glob, tail) = "www/cell-*.js".split_at(9);
    assert!(check_citation("t", 1, glob, tail).is_empty());
    assert_eq!(check_citation("t", 1, "www/no-such-", "*.js").len(), 1);
    assert!(check_citation("t", 1, "www/pkg/stepwise.js", "").is_empty());
    assert!(check_citation(
        "t",
        1,
        "docs/math.md",
        "#4-closed-form-theory-prop-41-result-46"
    )
    .is_empty());
    assert_eq!(
        check_citation("t", 1, "docs/math.md", "#no-such-heading").len(),
        1
    );
    let missing = format!(
        "see {} §2 and the {}",
        forbidden_names()[0],
        forbidden_names()[1]
    );
    assert_eq!(cites_missing_notes(&missing).len(), 2);
    assert!(cites_missing_notes("SPECIAL NOTESET").is_empty());
    assert_eq!(
        markdown_links("[a](math.md) [b](https://x.y/) [c](#top)").len(),
        1
    );
}
