//! Provider syntaxes and precision, as tables of code and what fineprint finds in it.
//! Providers come from a table written here (so the rows do not move when the shipped
//! `rules/providers.toml` grows); everything else is the built-in base.

use fineprint::detect::{FileKind, detect};
use fineprint::kb::KnowledgeBase;

const DEMO_PROVIDERS: &str = r#"
[[provider]]
id = "demo-groq"
name = "Demo Groq"
prefixes = ["groq"]
source = { url = "https://example.org/groq/models", section = "models", checked = "2026-12-05" }

[[provider.hosted]]
name = "llama-3.3-70b-versatile"
model = "meta-llama/Llama-3.3-70B-Instruct"
source = { url = "https://example.org/groq/llama-3.3", section = "model card", checked = "2026-12-05" }

[[provider]]
id = "demo-cloudflare"
name = "Demo Workers AI"
prefixes = ["cloudflare"]
paths = ["@cf/", "@hf/"]
source = { url = "https://example.org/cf/models", section = "models", checked = "2026-12-05" }

[[provider.hosted]]
name = "meta/llama-3.1-8b-instruct"
model = "meta-llama/Llama-3.1-8B-Instruct"
source = { url = "https://example.org/cf/llama", section = "model card", checked = "2026-12-05" }

[[provider]]
id = "demo-fireworks"
name = "Demo Fireworks"
prefixes = ["fireworks_ai"]
paths = ["accounts/fireworks/models/"]
source = { url = "https://example.org/fw/models", section = "models", checked = "2026-12-05" }

[[provider.hosted]]
name = "llama-v3p1-8b-instruct"
model = "meta-llama/Llama-3.1-8B-Instruct"
source = { url = "https://example.org/fw/llama", section = "model card", checked = "2026-12-05" }
"#;

fn kb() -> KnowledgeBase {
    let files = fineprint::kb::embedded_files()
        .iter()
        .filter(|(p, _)| *p != "providers.toml")
        .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
        .chain([("providers.toml".to_string(), DEMO_PROVIDERS.to_string())]);
    KnowledgeBase::from_files(files).unwrap_or_else(|e| panic!("{e}"))
}

/// (file, code, [(text at the span, kind, license)])
type Row<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str, &'a str)]);

fn check(rows: &[Row]) {
    let kb = kb();
    let mut failures = Vec::new();
    for (file, code, want) in rows {
        let kind = FileKind::from_file_name(file).unwrap_or_else(|| panic!("{file}: no kind"));
        let got: Vec<(String, String, String)> = detect(code, kind, &kb)
            .into_iter()
            .map(|r| {
                (
                    code[r.span.clone()].to_string(),
                    format!("{:?}", r.kind).to_lowercase(),
                    r.resolution
                        .as_ref()
                        .map_or("unknown".into(), |x| x.license(&kb).id.clone()),
                )
            })
            .collect();
        let want: Vec<(String, String, String)> = want
            .iter()
            .map(|(a, b, c)| ((*a).into(), (*b).into(), (*c).into()))
            .collect();
        if got != want {
            failures.push(format!(
                "{file}: {code:?}\n   got  {got:?}\n   want {want:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn provider_syntaxes() {
    check(&[
        (
            "a.py",
            "agent = Agent(\"openai:gpt-4o\")\n",
            &[("openai:gpt-4o", "api", "proprietary-openai")],
        ),
        (
            "a.py",
            "agent = Agent('anthropic:claude-3-5-sonnet-latest')\n",
            &[(
                "anthropic:claude-3-5-sonnet-latest",
                "api",
                "proprietary-anthropic",
            )],
        ),
        (
            "a.py",
            "r = completion(model=\"vertex_ai/claude-3-7-sonnet@20250219\")\n",
            &[(
                "vertex_ai/claude-3-7-sonnet",
                "api",
                "proprietary-anthropic",
            )],
        ),
        (
            "a.py",
            "r = completion(model=\"openai/o1\")\n",
            &[("openai/o1", "api", "proprietary-openai")],
        ),
        (
            "a.py",
            "r = completion(model=\"gemini/gemini-2.0-flash\")\n",
            &[("gemini/gemini-2.0-flash", "api", "proprietary-google")],
        ),
        (
            "a.py",
            "r = completion(model=\"azure/gpt-4o\")\n",
            &[("azure/gpt-4o", "api", "proprietary-openai")],
        ),
        (
            "a.py",
            "r = completion(model=\"xai/grok-3\")\n",
            &[("xai/grok-3", "api", "proprietary-xai")],
        ),
        (
            "a.py",
            "r = completion(model=\"together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo\")\n",
            &[(
                "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
                "hf",
                "llama3.3",
            )],
        ),
        (
            "a.py",
            "r = completion(model=\"openrouter/meta-llama/llama-3.1-8b-instruct:free\")\n",
            &[(
                "openrouter/meta-llama/llama-3.1-8b-instruct:free",
                "hf",
                "llama3.1",
            )],
        ),
        (
            "a.py",
            "r = completion(model=\"bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0\")\n",
            &[(
                "bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0",
                "api",
                "proprietary-anthropic",
            )],
        ),
        (
            "w.ts",
            "const out = await env.AI.run(\"@cf/meta/llama-3.1-8b-instruct\", { prompt });\n",
            &[("@cf/meta/llama-3.1-8b-instruct", "api", "llama3.1")],
        ),
        (
            "a.py",
            "r = completion(model=\"groq/llama-3.3-70b-versatile\")\n",
            &[("groq/llama-3.3-70b-versatile", "api", "llama3.3")],
        ),
        (
            "a.py",
            "agent = Agent(\"groq:llama-3.3-70b-versatile\")\n",
            &[("groq:llama-3.3-70b-versatile", "api", "llama3.3")],
        ),
        (
            "a.py",
            "r = client.chat.completions.create(model=\"llama-3.3-70b-versatile\")\n",
            &[("llama-3.3-70b-versatile", "api", "llama3.3")],
        ),
        (
            "a.py",
            "r = completion(model=\"fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct\")\n",
            &[(
                "fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct",
                "api",
                "llama3.1",
            )],
        ),
        (
            "c.yaml",
            "model: accounts/fireworks/models/llama-v3p1-8b-instruct\n",
            &[(
                "accounts/fireworks/models/llama-v3p1-8b-instruct",
                "api",
                "llama3.1",
            )],
        ),
    ]);
}

#[test]
fn provider_look_alikes() {
    check(&[
        // An Ollama tag of a family named like a provider stays an Ollama name.
        (
            "Modelfile",
            "FROM mistral:7b\n",
            &[("mistral:7b", "ollama", "apache-2.0")],
        ),
        ("a.py", "x = \"openai:\"\n", &[]),
        ("a.md", "Write to user@example.com for access.\n", &[]),
        ("a.sh", "git clone git@github.com:acme/widgets.git\n", &[]),
        ("a.sh", "npm i @types/node\n", &[]),
        ("a.py", "path = \"@cf/\"\n", &[]),
        ("a.py", "headers = {\"Accept\": \"image/png\"}\n", &[]),
        ("a.py", "model = load(\"application/json\")\n", &[]),
        ("a.md", "Fixed in huggingface/transformers#12345.\n", &[]),
        (
            "a.py",
            "r = completion(model=\"groq/unknown-model-x\")\n",
            &[("groq/unknown-model-x", "api", "unknown")],
        ),
        ("a.md", "See the fireworks docs.\n", &[]),
        ("a.py", "version = \"meta/llama@1.2\"\n", &[]),
        ("a.py", "scope = \"@huggingface/inference\"\n", &[]),
    ]);
}

#[test]
fn placeholders_and_look_alikes_are_not_models() {
    check(&[
        (
            "t.py",
            "model = AutoModel.from_pretrained(\"your-username/my-model\")\n",
            &[],
        ),
        (
            "t.py",
            "model = AutoModel.from_pretrained(\"org/some-model\")\n",
            &[],
        ),
        (
            "t.py",
            "model = AutoModel.from_pretrained(\"myuser/mymodel\")\n",
            &[],
        ),
        (
            "t.py",
            "model = AutoModel.from_pretrained(\"owner/repo\")\n",
            &[],
        ),
        (
            "t.py",
            "tok = AutoTokenizer.from_pretrained(\"your_org/llama-3-8b-ft\")\n",
            &[],
        ),
        ("t.py", "llm = Llama(model_path=\"model.gguf\")\n", &[]),
        ("t.py", "llm = Llama(model_path=\"m.gguf\")\n", &[]),
        (
            "t.py",
            "llm = Llama(model_path=\"./models/test.gguf\")\n",
            &[],
        ),
        (
            "t.py",
            "llm = Llama(model_path=\"model-00001-of-00003.gguf\")\n",
            &[],
        ),
        ("t.py", "gpt_4o_model = make_client()\n", &[]),
        (
            "t.py",
            "def claude_chat_completions_streaming(): pass\n",
            &[],
        ),
        (
            "page.tsx",
            "return <h2 id=\"claude-3-5-sonnet-heading\">Claude</h2>;\n",
            &[],
        ),
        (
            "README.md",
            "<h2 id=\"claude-3-5-sonnet-heading\">Claude</h2>\n",
            &[],
        ),
        ("README.md", "```dockerfile\nFROM ollama/ollama\n```\n", &[]),
        (
            "README.md",
            "We compared LoRA/QLoRA on Mistral and Qwen.\n",
            &[],
        ),
        (
            "t.py",
            "model = AutoModel.from_pretrained(\"Mistral\")\n",
            &[],
        ),
    ]);
    // ... while the real thing next to them is still found.
    check(&[
        (
            "t.py",
            "model = AutoModel.from_pretrained(\"acme-ai/support-bot-7b\")\n",
            &[("acme-ai/support-bot-7b", "hf", "unknown")],
        ),
        (
            "t.py",
            "llm = Llama(model_path=\"qwen2.5-7b-instruct-q4_k_m.gguf\")\n",
            &[("qwen2.5-7b-instruct-q4_k_m.gguf", "gguf", "apache-2.0")],
        ),
        (
            "t.py",
            "llm = Llama(model_path=\"support-bot.Q4_K_M.gguf\")\n",
            &[("support-bot.Q4_K_M.gguf", "gguf", "unknown")],
        ),
        (
            "t.py",
            "client.chat.completions.create(model=\"gpt-4o-mini\")\n",
            &[("gpt-4o-mini", "api", "proprietary-openai")],
        ),
        (
            "t.py",
            "client.chat.completions.create(model=\"claude-3-5-sonnet-mycorp\")\n",
            &[("claude-3-5-sonnet-mycorp", "api", "proprietary-anthropic")],
        ),
        (
            "README.md",
            "```bash\nollama pull llama3.1:8b\n```\n",
            &[("llama3.1:8b", "ollama", "llama3.1")],
        ),
        (
            "README.md",
            "```python\nm = AutoModel.from_pretrained(\"acme-ai/support-bot-7b\")\n```\n",
            &[("acme-ai/support-bot-7b", "hf", "unknown")],
        ),
        (
            "a.py",
            "ollama.chat(model=\"mistral\")\n",
            &[("mistral", "ollama", "apache-2.0")],
        ),
    ]);
}

#[test]
fn new_file_kinds_read_like_their_parents() {
    // (file name, the kind it is read as)
    let cases: &[(&str, Option<FileKind>)] = &[
        ("report.qmd", Some(FileKind::Markdown)),
        ("analysis.Rmd", Some(FileKind::Markdown)),
        ("page.mdx", Some(FileKind::Markdown)),
        ("config.yaml.j2", Some(FileKind::Yaml)),
        ("prompt.jinja", Some(FileKind::Markdown)),
        ("settings.json.jinja2", Some(FileKind::Json)),
        ("setup.ps1", Some(FileKind::Shell)),
        ("setup.cfg", Some(FileKind::Toml)),
        ("tox.ini", Some(FileKind::Toml)),
        ("image.png", None),
    ];
    for (name, want) in cases {
        assert_eq!(FileKind::from_file_name(name), *want, "{name}");
    }
    check(&[
        (
            "report.qmd",
            "```{python}\nm = AutoModel.from_pretrained(\"meta-llama/Llama-3.1-8B\")\n```\n",
            &[("meta-llama/Llama-3.1-8B", "hf", "llama3.1")],
        ),
        (
            "setup.ps1",
            "ollama pull qwen2.5:7b\n",
            &[("qwen2.5:7b", "ollama", "apache-2.0")],
        ),
        (
            "config.yaml.j2",
            "base_model: meta-llama/Llama-3.1-8B\n",
            &[("meta-llama/Llama-3.1-8B", "hf", "llama3.1")],
        ),
        (
            "setup.cfg",
            "[model]\nmodel_name = meta-llama/Llama-3.1-8B\n",
            &[("meta-llama/Llama-3.1-8B", "hf", "llama3.1")],
        ),
    ]);
}

#[test]
fn aliases_table_keys_and_names_without_org() {
    // Names a user gives models, and display names that key a table, are not models.
    check(&[
        (
            "mods.yml",
            "apis:\n  groq:\n    models:\n      x:\n        aliases: [\"llama3.3-70b\", \"llama3.3-versatile\"]\n",
            &[],
        ),
        (
            "c.py",
            "MODELS = {\"Qwen2-VL-7B\": {\"path\": \"/srv/q\"}}\n",
            &[],
        ),
        (
            "c.py",
            "server = Llama(model_alias=\"gpt-4o-local\")\n",
            &[],
        ),
    ]);
    // A multi-part Ollama name and a repository name without its org, as model values.
    check(&[
        (
            "a.py",
            "requests.post(url, json={\"model\": \"nomic-embed-text\"})\n",
            &[("nomic-embed-text", "ollama", "apache-2.0")],
        ),
        (
            "a.py",
            "model_name = \"DeepSeek-R1\"\n",
            // Also the Ollama library's name: either way the same license.
            &[("DeepSeek-R1", "ollama", "mit")],
        ),
        (
            "c.yaml",
            "model: Qwen2.5-7B-Instruct\n",
            &[("Qwen2.5-7B-Instruct", "hf", "apache-2.0")],
        ),
    ]);
}

#[test]
fn app_names_and_example_gguf_names() {
    check(&[
        ("a.md", "Run it from `claude-code` or the CLI.\n", &[]),
        ("a.md", "Load `llama-model.gguf` with the server.\n", &[]),
        (
            "a.py",
            "client.messages.create(model=\"claude-3-5-haiku-latest\")\n",
            &[("claude-3-5-haiku-latest", "api", "proprietary-anthropic")],
        ),
    ]);
}
