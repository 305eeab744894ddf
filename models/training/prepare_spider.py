#!/usr/bin/python3
"""SPIDER T2 slices with the pipeline's own pseudo-labels → training cases cache/spider_<series>.npz (self-training).

Input: the folder written by scripts/export-spider-pseudo-labels.ts (cases.json, <series>_label.png with
0 background, 1 vertebral body, 2 disc, 3 inferred disc) and the SPIDER PNGs it names.
Output per image, in prepare.py's format ([H, W, 1], 1.25 mm pixels): image (per-image p1–p99 → [0, 1])
and allowed bit sets: bodies and discs as labelled; a RING_PX ring around them, inferred discs and the
end bands above the top and below the bottom structure (unlabelled thoracic bodies, sacrum) ignored;
everything else background (bowel, psoas, posterior elements: where the network must not paint).
Writes cache/spider_cases.json (the case ids, for train.py --extra-cases).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
from PIL import Image
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ALL, BIT_BG, BIT_DISC, BIT_VB, PIXEL_SPACING_MM  # noqa: E402
from prepare import RING_PX, end_bands, normalise, overlay_png  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def resample(a: np.ndarray, row_mm: float, col_mm: float, order: int) -> np.ndarray:
    return ndimage.zoom(a, (row_mm / PIXEL_SPACING_MM, col_mm / PIXEL_SPACING_MM), order=order, prefilter=False, grid_mode=True, mode="nearest")


def allowed_from_pseudo(lab: np.ndarray) -> np.ndarray:
    """[H, W] classes (0, 1, 2, 3 = unknown disc) → allowed bit sets [H, W]."""
    a = np.full(lab.shape, BIT_BG, np.uint8)
    known = (lab == 1) | (lab == 2)
    # Instances numbered from the top (end_bands takes the first and last id): bodies and discs touch, so label each class apart.
    inst = np.zeros(lab.shape, np.int32)
    pieces = []
    for c in (1, 2, 3):
        cc, n = ndimage.label(lab == c)
        pieces += [(cc == i) for i in range(1, n + 1)]
    for k, m in enumerate(sorted(pieces, key=lambda m: np.where(m)[0].mean()), start=1):
        inst[m] = k
    ring = ndimage.binary_dilation(lab > 0, ndimage.generate_binary_structure(2, 1), RING_PX) & (lab == 0)
    a[end_bands(inst[:, :, None]) & ~known] = ALL
    a[ring | (lab == 3)] = ALL
    a[lab == 1] = BIT_VB
    a[lab == 2] = BIT_DISC
    return a


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pseudo", default=os.path.join(HERE, "../../.data/spider-pseudo"))
    ap.add_argument("--cache", default=os.path.join(HERE, "cache"))
    args = ap.parse_args()
    cases = json.load(open(os.path.join(args.pseudo, "cases.json")))
    os.makedirs(os.path.join(args.cache, "overlays"), exist_ok=True)
    ids = []
    for c in cases:
        img = np.asarray(Image.open(c["image"]).convert("L"), np.float32)
        lab = np.asarray(Image.open(os.path.join(args.pseudo, f"{c['series']}_label.png")))
        img = resample(normalise(img), c["rowSpacingMm"], c["colSpacingMm"], 1)
        lab = resample(lab, c["rowSpacingMm"], c["colSpacingMm"], 0)
        allowed = allowed_from_pseudo(lab)
        case = f"spider_{c['series']}"
        np.savez_compressed(os.path.join(args.cache, f"{case}.npz"), image=img[:, :, None].astype(np.float16), allowed=allowed[:, :, None],
                            structure="pseudo", source="spider")
        if len(ids) < 6:
            overlay_png(img, allowed, os.path.join(args.cache, "overlays", f"{case}.png"))
        ids.append(case)
    json.dump(ids, open(os.path.join(args.cache, "spider_cases.json"), "w"))
    print(f"{len(ids)} SPIDER pseudo-labelled cases → {args.cache}")


if __name__ == "__main__":
    main()
