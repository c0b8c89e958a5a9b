//! File kinds, chosen from a file's name alone (never its contents).

use std::path::Path;

/// The kinds of file fineprint reads (see `docs/detection.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// Python source.
    Python,
    /// Jupyter notebook (cell sources only).
    Notebook,
    /// JavaScript or TypeScript.
    JavaScript,
    /// Rust.
    Rust,
    /// Go.
    Go,
    /// YAML, including compose files.
    Yaml,
    /// TOML.
    Toml,
    /// JSON.
    Json,
    /// `.env` files.
    Env,
    /// Dockerfiles.
    Dockerfile,
    /// Shell scripts and Makefiles.
    Shell,
    /// Ollama Modelfiles.
    Modelfile,
    /// Markdown.
    Markdown,
}

impl FileKind {
    /// Every kind.
    pub const ALL: [Self; 13] = [
        Self::Python,
        Self::Notebook,
        Self::JavaScript,
        Self::Rust,
        Self::Go,
        Self::Yaml,
        Self::Toml,
        Self::Json,
        Self::Env,
        Self::Dockerfile,
        Self::Shell,
        Self::Modelfile,
        Self::Markdown,
    ];

    /// The kind of a file from its name, or `None` when fineprint does not read it.
    pub fn from_path(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        Self::from_file_name(name)
    }

    /// The kind of a file from its base name.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            // The policy file is configuration, not code: its model globs are not references.
            "fineprint.toml" => return None,
            // Nor is the baseline: its model ids are a record, not references.
            "fineprint-baseline.json" => return None,
            // CMake code, not prose.
            "cmakelists.txt" => return None,
            "dockerfile" | "containerfile" => return Some(Self::Dockerfile),
            "makefile" | "gnumakefile" => return Some(Self::Shell),
            "modelfile" => return Some(Self::Modelfile),
            ".env" => return Some(Self::Env),
            _ => {}
        }
        if lower.starts_with(".env.") {
            return Some(Self::Env);
        }
        if lower.starts_with("dockerfile.") || lower.starts_with("containerfile.") {
            return Some(Self::Dockerfile);
        }
        if lower.starts_with("modelfile.") {
            return Some(Self::Modelfile);
        }
        let (inner, ext) = lower.rsplit_once('.')?;
        // A template reads like the file it renders (`config.yaml.j2` is YAML); a
        // template of nothing in particular reads like prose.
        if matches!(ext, "j2" | "jinja" | "jinja2" | "tmpl" | "tpl") {
            return Some(Self::from_file_name(inner).unwrap_or(Self::Markdown));
        }
        Some(match ext {
            "py" | "pyi" => Self::Python,
            "ipynb" => Self::Notebook,
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" => Self::JavaScript,
            "rs" => Self::Rust,
            "go" => Self::Go,
            "yaml" | "yml" => Self::Yaml,
            "toml" | "ini" | "cfg" => Self::Toml,
            "json" | "jsonc" | "json5" => Self::Json,
            "env" => Self::Env,
            "dockerfile" => Self::Dockerfile,
            "sh" | "bash" | "zsh" | "mk" | "ps1" | "psm1" => Self::Shell,
            "modelfile" => Self::Modelfile,
            "md" | "markdown" | "mdx" | "qmd" | "rmd" => Self::Markdown,
            // Plain text (download lists, notes, requirements) reads like prose.
            "txt" | "text" => Self::Markdown,
            _ => return None,
        })
    }

    /// Lowercase name, as in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Python => "python",
            Self::Notebook => "notebook",
            Self::JavaScript => "javascript",
            Self::Rust => "rust",
            Self::Go => "go",
            Self::Yaml => "yaml",
            Self::Toml => "toml",
            Self::Json => "json",
            Self::Env => "env",
            Self::Dockerfile => "dockerfile",
            Self::Shell => "shell",
            Self::Modelfile => "modelfile",
            Self::Markdown => "markdown",
        }
    }

    /// The line-comment syntax of the kind, for suppression comments.
    pub fn comment(self) -> (&'static str, &'static str) {
        match self {
            Self::JavaScript | Self::Rust | Self::Go | Self::Json => ("// ", ""),
            Self::Markdown => ("<!-- ", " -->"),
            _ => ("# ", ""),
        }
    }
}
