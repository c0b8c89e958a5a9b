//! Markdown code fences read in their own language: a word inside a ```` ```dockerfile ````
//! fence is classified as Dockerfile text (`FROM ollama/ollama` is an image there), inside
//! ```` ```python ```` as Python, and so on.
//!
//! Invariants:
//! * The tracker only moves forward: asking for positions in increasing order costs one
//!   pass over the text's line starts in all (it starts at the beginning of the text the
//!   first time it is asked, so a scan of a window still knows the fences above it).
//! * A fence opens at a line whose first non-blank characters are three or more backticks
//!   or tildes, and closes at the next such line of the same character.

use super::FileKind;

/// The kind of text inside a fence of language `lang` (the info string's first word).
pub fn kind_of_lang(lang: &str) -> FileKind {
    match lang.to_ascii_lowercase().as_str() {
        "python" | "py" | "python3" | "ipython" | "pycon" => FileKind::Python,
        "dockerfile" | "docker" | "containerfile" => FileKind::Dockerfile,
        "yaml" | "yml" => FileKind::Yaml,
        "json" | "jsonc" | "json5" => FileKind::Json,
        "toml" | "ini" | "cfg" => FileKind::Toml,
        "bash" | "sh" | "shell" | "console" | "zsh" | "shell-session" | "powershell" | "ps1"
        | "pwsh" | "bat" | "cmd" => FileKind::Shell,
        "js" | "javascript" | "ts" | "typescript" | "jsx" | "tsx" | "mjs" => FileKind::JavaScript,
        "rust" | "rs" => FileKind::Rust,
        "go" | "golang" => FileKind::Go,
        "modelfile" => FileKind::Modelfile,
        "env" | "dotenv" => FileKind::Env,
        _ => FileKind::Markdown,
    }
}

/// Follows the fences of a Markdown text as a scan moves forward.
#[derive(Debug)]
pub struct Fences {
    /// The next line start not yet read.
    next_line: usize,
    /// The open fence: its character and length, and the kind inside it.
    open: Option<(u8, usize, FileKind)>,
}

impl Default for Fences {
    fn default() -> Self {
        Self::new()
    }
}

impl Fences {
    /// A tracker at the start of the text.
    pub fn new() -> Self {
        Self {
            next_line: 0,
            open: None,
        }
    }

    /// The kind of the text at `pos` (positions asked in increasing order; an earlier one
    /// gets the kind of the latest line read).
    pub fn kind_at(&mut self, text: &str, pos: usize) -> FileKind {
        let b = text.as_bytes();
        while self.next_line <= pos && self.next_line < b.len() {
            let start = self.next_line;
            let end = memchr::memchr(b'\n', &b[start..]).map_or(b.len(), |i| start + i);
            // The fence line itself is Markdown; the kind changes from the next line on.
            if end >= pos && start <= pos {
                let k = self.open.map_or(FileKind::Markdown, |(_, _, k)| k);
                if fence_of(&b[start..end]).is_some() {
                    self.read_line(&b[start..end]);
                    self.next_line = end + 1;
                    return FileKind::Markdown;
                }
                self.next_line = end + 1;
                return k;
            }
            self.read_line(&b[start..end]);
            self.next_line = end + 1;
        }
        self.open.map_or(FileKind::Markdown, |(_, _, k)| k)
    }

    fn read_line(&mut self, line: &[u8]) {
        let Some((ch, len, info)) = fence_of(line) else {
            return;
        };
        match self.open {
            Some((c, l, _)) if c == ch && len >= l && info.trim().is_empty() => self.open = None,
            Some(_) => {}
            None => {
                let lang = info.split_whitespace().next().unwrap_or("");
                let lang = lang.trim_start_matches('{').trim_end_matches('}');
                let lang = lang.trim_start_matches('.');
                self.open = Some((ch, len, kind_of_lang(lang)));
            }
        }
    }
}

/// A fence line: its character, its length and the info string after it.
fn fence_of(line: &[u8]) -> Option<(u8, usize, &str)> {
    let indent = line.iter().take_while(|&&c| c == b' ').count();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let ch = *rest.first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = rest.iter().take_while(|&&c| c == ch).count();
    if len < 3 {
        return None;
    }
    let info = std::str::from_utf8(&rest[len..]).unwrap_or("");
    Some((ch, len, info.trim_end_matches('\r')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_inside_fences() {
        let text = "Intro ollama\n```dockerfile\nFROM ollama/ollama\n```\nafter\n~~~python\nx = 1\n```\nstill python\n~~~\n``` {.yaml}\nmodel: x\n```\n";
        // (a word of the text, the kind at its position)
        let cases: &[(&str, FileKind)] = &[
            ("Intro", FileKind::Markdown),
            ("FROM", FileKind::Dockerfile),
            ("after", FileKind::Markdown),
            ("x = 1", FileKind::Python),
            ("still python", FileKind::Python),
            ("model: x", FileKind::Yaml),
        ];
        let mut f = Fences::new();
        for (word, want) in cases {
            let pos = text.find(word).unwrap_or(0);
            assert_eq!(f.kind_at(text, pos), *want, "{word}");
        }
    }

    #[test]
    fn a_fence_line_is_markdown_and_unclosed_fences_run_on() {
        let text = "```python\nimport x\n";
        let mut f = Fences::new();
        assert_eq!(f.kind_at(text, 3), FileKind::Markdown);
        assert_eq!(f.kind_at(text, 12), FileKind::Python);
        assert_eq!(f.kind_at(text, text.len()), FileKind::Python);
    }
}
