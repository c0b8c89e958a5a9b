//! Weight files (`.safetensors`, `.ckpt`, `.pth`, `.onnx`, `.pt`, `.bin`, `.gguf`) in
//! model contexts, in lists, in prose and at the end of download URLs on any host: a
//! name the rules know resolves to its family's license; an unknown, distinctive name
//! is reported with an unknown license at information level (not a warning); generic
//! names (`pytorch_model.bin`, `best.pt`, `model-00001-of-00004.safetensors`) and `.pt`
//! / `.bin` names outside a model context are not references.

use fineprint::detect::{FileKind, detect};
use fineprint::findings::{Severity, evaluate};
use fineprint::kb::KnowledgeBase;
use fineprint::policy::Policy;
use std::sync::OnceLock;

fn kb() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| KnowledgeBase::builtin().unwrap_or_else(|e| panic!("{e}")))
}

/// (file, code, [(text at the span, license id or "unknown")])
type Row<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

fn found(file: &str, code: &str) -> Vec<(String, String)> {
    let kb = kb();
    let kind = FileKind::from_file_name(file).unwrap_or_else(|| panic!("{file}: no kind"));
    detect(code, kind, kb)
        .into_iter()
        .map(|r| {
            let lic = r
                .resolution
                .as_ref()
                .map_or("unknown".to_string(), |x| x.license(kb).id.clone());
            (code[r.span.clone()].to_string(), lic)
        })
        .collect()
}

fn check(rows: &[Row]) {
    for (file, code, want) in rows {
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
            .collect();
        assert_eq!(found(file, code), want, "{file}: {code}");
    }
}

#[test]
fn weight_files_found() {
    check(&[
        // Known names resolve to their family, whatever the extension.
        (
            "a.py",
            "ckpt = \"sd_xl_base_1.0.safetensors\"\n",
            &[("sd_xl_base_1.0.safetensors", "openrail++")],
        ),
        (
            "a.yaml",
            "checkpoint: models/Stable-diffusion/v1-5-pruned-emaonly.ckpt\n",
            &[("v1-5-pruned-emaonly.ckpt", "creativeml-openrail-m")],
        ),
        (
            "a.json",
            "{\"checkpoints\": [\"flux1-dev.safetensors\", \"flux1-schnell.safetensors\"]}\n",
            &[
                ("flux1-dev.safetensors", "flux-1-dev-non-commercial-license"),
                ("flux1-schnell.safetensors", "apache-2.0"),
            ],
        ),
        (
            "a.py",
            "sam = sam_model_registry[\"vit_h\"](checkpoint=\"sam_vit_h_4b8939.pth\")\n",
            &[("sam_vit_h_4b8939.pth", "apache-2.0")],
        ),
        (
            "a.py",
            "model = YOLO(\"weights/yolov8n.pt\")\n",
            &[("yolov8n.pt", "agpl-3.0")],
        ),
        // Upscalers, detectors, inpainting models: their own families.
        (
            "a.py",
            "class Upscaler(Enum):\n    default = \"4x_NMKD-Superscale-SP_178000_G.pth\"\n",
            &[("4x_NMKD-Superscale-SP_178000_G.pth", "unknown")],
        ),
        (
            "a.py",
            "det = \"yolox_l.onnx\"\npose = \"dw-ll_ucoco_384.onnx\"\n",
            &[
                ("yolox_l.onnx", "apache-2.0"),
                ("dw-ll_ucoco_384.onnx", "apache-2.0"),
            ],
        ),
        (
            "a.json",
            "{\"path\": \"models/upscale_models/OmniSR_X4_DIV2K.safetensors\"}\n",
            &[("OmniSR_X4_DIV2K.safetensors", "apache-2.0")],
        ),
        // Unknown but distinctive names: reported, license unknown.
        (
            "a.json",
            "{\"file\": \"serenity_v21Safetensors.safetensors\"}\n",
            &[("serenity_v21Safetensors.safetensors", "unknown")],
        ),
        // Weight URLs on any host name the file at their end.
        (
            "a.sh",
            "wget https://github.com/TencentARC/GFPGAN/releases/download/v1.3.0/GFPGANv1.4.pth\n",
            &[("GFPGANv1.4.pth", "apache-2.0")],
        ),
        (
            "a.md",
            "Put `MAT_Places512_G_fp16.safetensors` in `models/inpaint`.\n",
            &[("MAT_Places512_G_fp16.safetensors", "cc-by-nc-4.0")],
        ),
        // `.pt` and `.bin` count in a model context.
        (
            "a.py",
            "model = load_model(checkpoint=\"resnet_custom_v2.pt\")\n",
            &[("resnet_custom_v2.pt", "unknown")],
        ),
        (
            "a.yaml",
            "model_path: ggml-alpaca-7b-q4.bin\n",
            &[("ggml-alpaca-7b-q4.bin", "unknown")],
        ),
        (
            "a.py",
            "lora = \"acme_inpaint_head_v2.safetensors\"\n",
            &[("acme_inpaint_head_v2.safetensors", "unknown")],
        ),
    ]);
}

#[test]
fn generic_and_non_model_files_are_not_references() {
    check(&[
        ("a.py", "w = \"pytorch_model.bin\"\n", &[]),
        ("a.py", "w = \"diffusion_pytorch_model.safetensors\"\n", &[]),
        ("a.py", "w = \"model-00001-of-00004.safetensors\"\n", &[]),
        ("a.py", "w = \"adapter_model.safetensors\"\n", &[]),
        (
            "a.py",
            "model = YOLO(\"runs/train/weights/best.pt\")\n",
            &[],
        ),
        (
            "a.py",
            "torch.save(state, \"checkpoint_epoch_10.pth\")\n",
            &[],
        ),
        (
            "a.py",
            "torch.save(opt.state_dict(), \"optimizer.pt\")\n",
            &[],
        ),
        ("a.py", "w = \"model.onnx\"\n", &[]),
        ("a.py", "w = \"m.safetensors\"\n", &[]),
        ("a.py", "w = \"vae_fp16.safetensors\"\n", &[]),
        // `.pt` and `.bin` outside a model context: data, not weights.
        ("a.py", "open(\"frames_v2.bin\", \"rb\")\n", &[]),
        ("a.py", "x = torch.load(\"embeddings_cache_v3.pt\")\n", &[]),
        (
            "a.sh",
            "dd if=/dev/zero of=disk_image_a.bin bs=1M count=1\n",
            &[],
        ),
        // Python path configuration files, llama.cpp's generic conversion output.
        ("a.py", "pth = \"distutils-precedence.pth\"\n", &[]),
        (
            "a.py",
            "llm = Llama(model_path=\"./models/7B/ggml-model.bin\")\n",
            &[],
        ),
        // In code, an unquoted name is an attribute, not a file.
        ("a.py", "path = awq_config.ckpt\n", &[]),
        // Templates: no name yet.
        ("a.py", "w = f\"{name}.safetensors\"\n", &[]),
        ("a.py", "w = \"%s.pth\" % name\n", &[]),
        // A release asset that is not weights.
        (
            "a.sh",
            "wget https://github.com/acme/tool/releases/download/v1.0/tool-linux-x64.tar.gz\n",
            &[],
        ),
    ]);
}

#[test]
fn unknown_weight_files_are_information_not_warnings() {
    let kb = kb();
    let policy = Policy::default();
    let code = "upscaler = \"4x_NMKD-Superscale-SP_178000_G.pth\"\nllm = \"acme-ai/unknown-bot-7b\"\nmodel_id = llm\n";
    let refs = detect(code, FileKind::Python, kb);
    let file = refs
        .iter()
        .find(|r| r.text.ends_with(".pth"))
        .unwrap_or_else(|| panic!("the .pth file is not found: {refs:?}"));
    let d = evaluate(file, kb, &policy, "2026-12-06");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].severity, Severity::Information, "{d:?}");
    assert!(d[0].message.contains("weights file"), "{}", d[0].message);
}
