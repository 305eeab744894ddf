#!/usr/bin/python3
"""3D Dice per class on the held-out cases of split.json (Python check; official numbers come from
the TypeScript `npm run eval:seg`).

Runs the checkpoint (default cache/model.pt) on EVERY sagittal slice of each held-out case (cached
1.25 mm grid, zero padding to a multiple of 16, argmax), then for class c in {vertebral body, disc}
counts only voxels whose class is known with respect to c: allowed set == {c} (positive) or c not in
the allowed set (negative). So disc on vb cases is scored against the geometric pseudo-labels, VB on
ivd cases against their pseudo-labels, and ignored rings / end bands (unlabelled T12, S1, …) are
excluded. Reports Dice pooled over all voxels per source and overall, and the per-case mean.

    /usr/bin/python3 models/training/evaluate.py [--update-manifest]
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BIT_DISC, BIT_VB, SIZE_MULTIPLE  # noqa: E402
from net import UNet  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CLASS_BITS = {"vertebral_body": (1, BIT_VB), "disc": (2, BIT_DISC)}


@torch.no_grad()
def predict_volume(model: torch.nn.Module, img: np.ndarray) -> np.ndarray:
    """img [H, W, S] float in [0, 1] → argmax labels [H, W, S] uint8."""
    h, w, s = img.shape
    H, W = -(-h // SIZE_MULTIPLE) * SIZE_MULTIPLE, -(-w // SIZE_MULTIPLE) * SIZE_MULTIPLE
    out = np.zeros((h, w, s), np.uint8)
    for k in range(0, s, 8):
        sl = img[:, :, k:k + 8].astype(np.float32).transpose(2, 0, 1)
        x = torch.zeros(sl.shape[0], 1, H, W)
        x[:, 0, :h, :w] = torch.from_numpy(sl)
        out[:, :, k:k + sl.shape[0]] = model(x).argmax(1)[:, :h, :w].numpy().transpose(1, 2, 0).astype(np.uint8)
    return out


def counts(pred: np.ndarray, allowed: np.ndarray) -> dict:
    res = {}
    for name, (c, bit) in CLASS_BITS.items():
        pos = allowed == bit
        known = pos | ((allowed & bit) == 0)
        p = (pred == c) & known
        res[name] = (int((p & pos).sum()), int(p.sum() + pos.sum()))
    return res


def dice(inter: int, total: int) -> float | None:
    return None if total == 0 else 2 * inter / total


def main() -> None:
    ap = argparse.ArgumentParser(description="3D Dice on the held-out cases (Python check)")
    ap.add_argument("--cache", default=os.path.join(HERE, "cache"))
    ap.add_argument("--checkpoint", default=os.path.join(HERE, "cache", "model.pt"))
    ap.add_argument("--update-manifest", action="store_true", help="write metrics.python3dDice into models/manifest.json")
    args = ap.parse_args()
    torch.set_num_threads(2)
    ck = torch.load(args.checkpoint, map_location="cpu")
    model = UNet(base=ck["base"])
    model.load_state_dict(ck["state"])
    model.eval()
    split = json.load(open(os.path.join(HERE, "split.json")))
    per_case, pooled = {}, {}
    for case in split["val"]:
        z = np.load(os.path.join(args.cache, f"{case}.npz"))
        cnt = counts(predict_volume(model, z["image"]), z["allowed"])
        per_case[case] = {k: dice(*v) for k, v in cnt.items()}
        for key in (case.split("_")[0], "all"):
            acc = pooled.setdefault(key, {k: [0, 0] for k in CLASS_BITS})
            for k, (i, t) in cnt.items():
                acc[k][0] += i
                acc[k][1] += t
        print(case, json.dumps({k: None if v is None else round(v, 4) for k, v in per_case[case].items()}), flush=True)
    result = {
        "method": "3D Dice on known voxels of all sagittal slices of the held-out cases (split.json val), 1.25 mm grid; "
                  "disc on vb cases and VB on ivd cases vs geometric pseudo-labels; command: "
                  "/usr/bin/python3 models/training/evaluate.py",
        "checkpointStep": ck.get("step"),
        "pooled": {src: {k: round(dice(*v), 4) if dice(*v) is not None else None for k, v in acc.items()} for src, acc in pooled.items()},
        "meanPerCase": {k: round(float(np.mean([d[k] for d in per_case.values() if d[k] is not None])), 4) for k in CLASS_BITS},
        "perCase": {c: {k: None if v is None else round(v, 4) for k, v in d.items()} for c, d in per_case.items()},
    }
    with open(os.path.join(args.cache, "eval.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps({k: result[k] for k in ("pooled", "meanPerCase")}, indent=1))
    if args.update_manifest:
        path = os.path.join(HERE, "..", "manifest.json")
        man = json.load(open(path))
        man.setdefault("metrics", {})["python3dDice"] = {k: result[k] for k in ("method", "checkpointStep", "pooled", "meanPerCase")}
        with open(path, "w") as f:
            json.dump(man, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print("updated", os.path.abspath(path))


if __name__ == "__main__":
    main()
