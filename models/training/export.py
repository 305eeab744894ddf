#!/usr/bin/python3
"""Export the best checkpoint (cache/model.pt) to ONNX (opset 17, dynamic H/W) and write models/manifest.json.

The manifest is the source of truth for the TypeScript pipeline: input name/shape/orientation,
pixel spacing (mm), size multiple, normalisation, classes, and the sha256 of the ONNX file.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CLASSES, HIGH_PERCENTILE, LOW_PERCENTILE, PIXEL_SPACING_MM, SIZE_MULTIPLE  # noqa: E402
from net import UNet  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.abspath(os.path.join(HERE, ".."))
NAME, VERSION = "spine-sag-unet", "1.2.0"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint", default=os.path.join(HERE, "cache", "model.pt"))
    ap.add_argument("--out-dir", default=MODELS, help="folder for the ONNX file and manifest.json (default models/: replaces the shipped model)")
    args = ap.parse_args()
    ck = torch.load(args.checkpoint, map_location="cpu")
    model = UNet(base=ck["base"])
    model.load_state_dict(ck["state"])
    model.eval()
    fname = f"{NAME}-v{VERSION.split('.')[0]}.onnx"
    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, fname)
    dummy = torch.zeros(1, 1, 256, 192)
    torch.onnx.export(model, dummy, path, opset_version=17, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {2: "H", 3: "W"}, "logits": {2: "H", 3: "W"}},
                      do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    data = open(path, "rb").read()
    split = json.load(open(os.path.join(HERE, "split.json")))
    manifest = {
        "name": NAME, "version": VERSION, "file": fname,
        "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "opset": 17,
        "input": {
            "name": "image", "layout": "NCHW", "channels": 1,
            "orientation": {"rows": "superior→inferior", "columns": "anterior→posterior"},
            "pixelSpacingMm": [PIXEL_SPACING_MM, PIXEL_SPACING_MM], "sizeMultipleOf": SIZE_MULTIPLE,
            "normalisation": {"method": "percentile_clip", "lowPercentile": LOW_PERCENTILE,
                              "highPercentile": HIGH_PERCENTILE, "scope": "volume"},
        },
        "output": {"name": "logits", "classes": CLASSES},
        "training": {"data": "../shared/data/segmentation (FastCleverSeg collection: vb1, vb2, vb3, ivd)",
                     "split": f"models/training/split.json: {len(split['train'])} train, {len(split['val'])} held-out cases",
                     "steps": ck.get("step"), "recipe": "models/training/run_all.py"},
        "metrics": {"pythonValidationDice2D": ck.get("val")},
    }
    # The disc classifier's block (pfirrmann.py) describes other model files: keep it.
    man_path = os.path.join(args.out_dir, "manifest.json")
    if os.path.exists(man_path) and "pfirrmann" in (old := json.load(open(man_path))):
        manifest["pfirrmann"] = old["pfirrmann"]
    with open(man_path, "w") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {path} ({len(data)} bytes) and {os.path.join(args.out_dir, 'manifest.json')}")


if __name__ == "__main__":
    main()
