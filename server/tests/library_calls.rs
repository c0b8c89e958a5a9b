//! Library-native names and implicit SDK defaults (`rules/libraries.toml`), as tables of
//! code and what fineprint finds in it. The engine cases run on a library table written
//! here (so they do not move when the shipped table grows); the shipped table has its
//! own rows at the end.

use fineprint::detect::{FileKind, detect};
use fineprint::kb::KnowledgeBase;
use fineprint::resolve::{RefKind, resolve_str};

const DEMO: &str = r#"
[[library]]
id = "demo-whisper"
name = "demo-whisper"
package = "pypi:demo-whisper==1.0"
calls = ["whisper.load_model", "WhisperModel"]
argument = 0
keywords = ["name"]
source = { url = "https://example.org/whisper/__init__.py", section = "_MODELS", checked = "2026-12-05" }
examples.negative = ["whisper.load_audio(\"a.wav\")"]

[[library.names]]
match = ["large-v3", "large"]
model = "openai/whisper-large-v3"
source = { url = "https://example.org/whisper/__init__.py", section = "_MODELS", checked = "2026-12-05" }
examples.positive = ["large-v3", "large"]
examples.negative = ["large-v4"]

[[library.names]]
match = ["tiny*"]
model = "openai/whisper-tiny"
source = { url = "https://example.org/whisper/__init__.py", section = "_MODELS", checked = "2026-12-05" }
examples.positive = ["tiny", "tiny.en"]

[[library]]
id = "demo-st"
name = "demo sentence-transformers"
package = "pypi:demo-st==1.0"
calls = ["SentenceTransformer"]
argument = 0
keywords = ["model_name_or_path"]
source = { url = "https://example.org/st.py", section = "load", checked = "2026-12-05" }

[[library.names]]
match = ["all-minilm-*", "all-mpnet-*"]
model = "sentence-transformers/{name}"
source = { url = "https://example.org/st.py", section = "prefix", checked = "2026-12-05" }
examples.positive = ["all-MiniLM-L6-v2"]

[[library]]
id = "demo-pipeline"
name = "demo transformers pipeline"
package = "pypi:demo-transformers==1.0"
calls = ["pipeline"]
argument = 0
keywords = ["task"]
unless = ["model"]
unless_argument = 1
source = { url = "https://example.org/pipelines.py", section = "SUPPORTED_TASKS", checked = "2026-12-05" }

[[library.names]]
match = ["text-generation"]
model = "openai-community/gpt2"
source = { url = "https://example.org/pipelines.py", section = "SUPPORTED_TASKS", checked = "2026-12-05" }
examples.positive = ["text-generation"]

[[library]]
id = "demo-timm"
name = "demo timm"
package = "pypi:demo-timm==1.0"
calls = ["timm.create_model"]
argument = 0
keywords = ["model_name"]
requires = ["pretrained=True"]
source = { url = "https://example.org/timm.py", section = "create_model", checked = "2026-12-05" }

[[library]]
id = "demo-chat"
name = "demo-langchain-openai"
package = "pypi:demo-langchain-openai==1.0"
calls = ["ChatOpenAI"]
keywords = ["model", "model_name", "modelName"]
default = "gpt-4o-mini"
default_source = { url = "https://example.org/chat_models.py", section = "model_name default", checked = "2026-12-05" }
source = { url = "https://example.org/chat_models.py", section = "ChatOpenAI", checked = "2026-12-05" }
"#;

const DEMO_TIMM: &str = "# source: demo-timm\n# package: pypi:demo-timm==1.0\n# file: models/*.py\n# url: https://pypi.org/project/demo-timm/1.0/\n# imported: 2026-12-05\nkind\tid\tlicense\nlib:demo-timm\tresnet50.a1_in1k\tapache-2.0\nlib:demo-timm\tresnet50\tapache-2.0\nlib:demo-timm\tdemovit_nc\tcc-by-nc-4.0\n";

fn kb() -> KnowledgeBase {
    let files = fineprint::kb::embedded_files()
        .iter()
        .filter(|(p, _)| *p != "libraries.toml")
        .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
        .chain([
            ("libraries.toml".to_string(), DEMO.to_string()),
            ("generated/demo-timm.tsv".to_string(), DEMO_TIMM.to_string()),
        ]);
    KnowledgeBase::from_files(files).unwrap_or_else(|e| panic!("{e}"))
}

/// (file, code, [(text at the span, id, license)])
type Row<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str, &'a str)]);

fn found(kb: &KnowledgeBase, file: &str, code: &str) -> Vec<(String, String, String)> {
    let kind = FileKind::from_file_name(file).unwrap_or_else(|| panic!("{file}: no kind"));
    detect(code, kind, kb)
        .into_iter()
        .filter(|r| r.kind == RefKind::Library)
        .map(|r| {
            (
                code[r.span.clone()].to_string(),
                r.id.clone(),
                r.resolution
                    .as_ref()
                    .map_or("unknown".into(), |x| x.license(kb).id.clone()),
            )
        })
        .collect()
}

fn check(rows: &[Row]) {
    let kb = kb();
    for (file, code, want) in rows {
        let got = found(&kb, file, code);
        let want: Vec<(String, String, String)> = want
            .iter()
            .map(|(a, b, c)| ((*a).into(), (*b).into(), (*c).into()))
            .collect();
        assert_eq!(got, want, "{file}: {code}");
    }
}

#[test]
fn library_names_found() {
    check(&[
        (
            "a.py",
            "m = whisper.load_model(\"large-v3\")\n",
            &[("large-v3", "openai/whisper-large-v3", "apache-2.0")],
        ),
        (
            "a.py",
            "m = whisper.load_model('tiny.en')\n",
            &[("tiny.en", "openai/whisper-tiny", "apache-2.0")],
        ),
        (
            "a.py",
            "m = whisper.load_model(name=\"large\")\n",
            &[("large", "openai/whisper-large-v3", "apache-2.0")],
        ),
        (
            "a.py",
            "import whisper as w\nm = w.whisper.load_model(\"tiny\")\n",
            &[("tiny", "openai/whisper-tiny", "apache-2.0")],
        ),
        (
            "a.py",
            "m = WhisperModel(\"large-v3\", device=\"cuda\")\n",
            &[("large-v3", "openai/whisper-large-v3", "apache-2.0")],
        ),
        (
            "nb.ipynb",
            "{\"cells\":[{\"cell_type\":\"code\",\"source\":[\"m = whisper.load_model(\\\"tiny\\\")\\n\"]}]}",
            &[("tiny", "openai/whisper-tiny", "apache-2.0")],
        ),
        (
            "e.py",
            "emb = SentenceTransformer(\"all-MiniLM-L6-v2\")\n",
            &[(
                "all-MiniLM-L6-v2",
                "sentence-transformers/all-MiniLM-L6-v2",
                "apache-2.0",
            )],
        ),
        (
            "e.py",
            "emb = SentenceTransformer(model_name_or_path='all-MiniLM-L6-v2')\n",
            &[(
                "all-MiniLM-L6-v2",
                "sentence-transformers/all-MiniLM-L6-v2",
                "apache-2.0",
            )],
        ),
        (
            "p.py",
            "gen = pipeline(\"text-generation\")\n",
            &[("text-generation", "openai-community/gpt2", "mit")],
        ),
        (
            "p.py",
            "gen = pipeline(task=\"text-generation\", device=0)\n",
            &[("text-generation", "openai-community/gpt2", "mit")],
        ),
        (
            "t.py",
            "net = timm.create_model(\"resnet50.a1_in1k\", pretrained=True)\n",
            &[(
                "resnet50.a1_in1k",
                "demo-timm:resnet50.a1_in1k",
                "apache-2.0",
            )],
        ),
        (
            "t.py",
            "net = timm.create_model('demovit_nc', pretrained=True, num_classes=3)\n",
            &[("demovit_nc", "demo-timm:demovit_nc", "cc-by-nc-4.0")],
        ),
        (
            "README.md",
            "```python\nm = whisper.load_model(\"large-v3\")\n```\n",
            &[("large-v3", "openai/whisper-large-v3", "apache-2.0")],
        ),
    ]);
}

#[test]
fn library_look_alikes_are_not_references() {
    check(&[
        (
            "a.py",
            "audio = whisper.load_audio(\"large-v3.wav\")\n",
            &[],
        ),
        ("a.py", "m = load_model(\"large-v3\")\n", &[]),
        ("a.py", "m = whisper.load_model(size)\n", &[]),
        ("a.py", "m = whisper.load_model(f\"{size}\")\n", &[]),
        ("a.py", "m = whisper.load_model(\"my-finetune.pt\")\n", &[]),
        ("a.py", "m = whisper.load_model\n", &[]),
        ("a.py", "m = whisper.load_model(\"large-v3\"\n", &[]),
        (
            "p.py",
            "gen = pipeline(\"text-generation\", model=\"Qwen/Qwen2.5-0.5B\")\n",
            &[],
        ),
        ("p.py", "gen = pipeline(\"fill-mask\")\n", &[]),
        // The model given second, by position: no default is loaded.
        (
            "p.py",
            "gen = pipeline(\"text-generation\", \"acme/tiny-gpt\")\n",
            &[],
        ),
        // Arguments that do not close within the window read: a `model=` may follow.
        (
            "p.py",
            &format!(
                "gen = pipeline(\"text-generation\", {}\n",
                "x, ".repeat(1000)
            ),
            &[],
        ),
        ("t.py", "net = timm.create_model(\"resnet50\")\n", &[]),
        (
            "t.py",
            "net = timm.create_model(\"resnet50\", pretrained=False)\n",
            &[],
        ),
        (
            "t.py",
            "net = timm.create_model(\"unknown_net\", pretrained=True)\n",
            &[],
        ),
        (
            "e.py",
            "emb = SentenceTransformer(\"acme/custom-embedder\")\n",
            &[],
        ),
        (
            "e.py",
            "class SentenceTransformerX: pass\nx = MySentenceTransformer(\"all-MiniLM-L6-v2\")\n",
            &[],
        ),
    ]);
}

#[test]
fn implicit_defaults() {
    check(&[
        (
            "c.py",
            "llm = ChatOpenAI()\n",
            &[("ChatOpenAI", "gpt-4o-mini", "proprietary-openai")],
        ),
        (
            "c.py",
            "llm = ChatOpenAI(temperature=0, streaming=True)\n",
            &[("ChatOpenAI", "gpt-4o-mini", "proprietary-openai")],
        ),
        (
            "c.py",
            "llm = langchain_openai.ChatOpenAI(\n    temperature=0,\n)\n",
            &[("ChatOpenAI", "gpt-4o-mini", "proprietary-openai")],
        ),
        (
            "c.ts",
            "const llm = new ChatOpenAI({ temperature: 0 });\n",
            &[("ChatOpenAI", "gpt-4o-mini", "proprietary-openai")],
        ),
        (
            "c.ts",
            "const llm = new ChatOpenAI();\n",
            &[("ChatOpenAI", "gpt-4o-mini", "proprietary-openai")],
        ),
    ]);
    // A model given, in any form, is not the default (the given one is found by the
    // ordinary detection when it is a literal).
    check(&[
        ("c.py", "llm = ChatOpenAI(model=\"gpt-4o\")\n", &[]),
        ("c.py", "llm = ChatOpenAI(model_name=MODEL)\n", &[]),
        ("c.py", "llm = ChatOpenAI(**kwargs)\n", &[]),
        ("c.py", "llm = ChatOpenAI(config)\n", &[]),
        (
            "c.ts",
            "const llm = new ChatOpenAI({ modelName: \"gpt-4\" });\n",
            &[],
        ),
        ("c.py", "llm = ChatOpenAI(\n", &[]),
        ("c.py", "from langchain_openai import ChatOpenAI\n", &[]),
        ("c.py", "llm = MyChatOpenAI()\n", &[]),
        ("c.py", "def ChatOpenAIFactory(): pass\n", &[]),
        ("c.md", "Use `ChatOpenAI` for chat.\n", &[]),
        (
            "c.py",
            "llm = ChatOpenAI(model=\"gpt-4o\")\nother = ChatOpenAI\n",
            &[],
        ),
        ("c.py", "x = chat_openai()\n", &[]),
    ]);
}

#[test]
fn a_model_given_is_found_once() {
    let kb = kb();
    let code = "llm = ChatOpenAI(model=\"gpt-4o\")\nasr = whisper.load_model(\"large-v3\")\n";
    let refs = detect(code, FileKind::Python, &kb);
    let got: Vec<(&str, RefKind)> = refs
        .iter()
        .map(|r| (&code[r.span.clone()], r.kind))
        .collect();
    assert_eq!(
        got,
        [("gpt-4o", RefKind::Api), ("large-v3", RefKind::Library)]
    );
}

#[test]
fn library_names_typed_by_users() {
    let kb = kb();
    // (typed, id, license)
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "demo-whisper:large-v3",
            "openai/whisper-large-v3",
            Some("apache-2.0"),
        ),
        (
            "demo-timm:resnet50",
            "demo-timm:resnet50",
            Some("apache-2.0"),
        ),
        ("demo-whisper:large-v9", "", None),
    ];
    for (typed, id, license) in cases {
        let r = resolve_str(&kb, typed);
        let got = r.as_ref().and_then(|r| {
            Some((
                r.id.as_str(),
                r.resolution.as_ref()?.license(&kb).id.as_str(),
            ))
        });
        match license {
            Some(l) => assert_eq!(got, Some((*id, *l)), "{typed}"),
            None => assert!(got.is_none(), "{typed}: {got:?}"),
        }
    }
}

#[test]
fn library_native_names_count_when_a_library_reads_them() {
    let kb = kb();
    let c = fineprint::rules_check::coverage(&kb);
    // The three demo-timm names, read by the demo-timm library's calls.
    assert_eq!(c.library, 3, "{c:?}");
}
