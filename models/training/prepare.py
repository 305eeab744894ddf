#!/usr/bin/python3
"""Prepare the shared segmentation volumes for training: one .npz per case in models/training/cache/.

Input: <data>/<case>_image.nii.gz and <case>_label.nii.gz (1.0 mm isotropic, array axes
[0 superior→inferior, 1 anterior→posterior, 2 sagittal slice]) and <data>/cases.csv.

Output per case (arrays [H, W, S] = [rows S→I, columns A→P, sagittal slices], 1.25 mm in-plane,
1.0 mm between slices):
  image  float16  per-volume p1–p99 clipped and scaled to [0, 1] (see common.py)
  allowed uint8   per-pixel bit set of admissible classes (bit0 background, bit1 vertebral body,
                  bit2 disc; 7 = unknown/ignored). See build_allowed_vb / build_allowed_ivd.

Partial labels: vb_* cases label vertebral bodies only; ivd_* cases label discs only. The missing
class is pseudo-labelled geometrically (the gap between two consecutive labelled structures in the
same image column), with a ring of ignored pixels around every pseudo-label and around the ends of
the labelled column (unlabelled T12 / S1 / adjacent discs there) — except the presacral tissue in front of
and below the lowest instance, which is background (presacral_background).

Also writes split.json (fixed held-out cases) and a few overlay PNGs in cache/overlays/.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys

import nibabel as nib
import numpy as np
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (ALL, BIT_BG, BIT_DISC, BIT_VB, HIGH_PERCENTILE, LOW_PERCENTILE,  # noqa: E402
                    PIXEL_SPACING_MM, SPLIT_SEED, VAL_FRACTION)

HERE = os.path.dirname(os.path.abspath(__file__))
# a pseudo-structure taller than this (in one column) is rejected as implausible, mm
MAX_GAP_MM = {"disc": 22.0, "vertebral_body": 40.0}
RING_PX = 2  # ignored ring around each pseudo-label, pixels at 1.25 mm
END_MARGIN_PX = 10  # AP margin of the ignored band above/below the labelled column, pixels
# Below the lowest labelled instance, pixels more than PRESACRAL_MARGIN_PX in front of its anterior
# edge are background, not ignored: presacral fat, vessels and bowel. The promontory lies about level
# with L5's front edge and the sacrum slopes back from it (sacral slope about 40° from horizontal,
# Legaye J. et al., Eur Spine J 1998;7:99-103, so its front surface runs back ≈ 0.8 mm per mm down);
# from PRESACRAL_SLOPE_START_PX below the instance the boundary moves back PRESACRAL_SLOPE mm per mm,
# well inside that. 5 mm leaves room for an anterior disc bulge or a slight retrolisthesis. Why: with
# the whole band ignored the network learnt nothing there, and on clinical T2 (SPIDER) it outlined
# presacral tissue as "L5/S1 disc" and "S1 body".
PRESACRAL_MARGIN_PX = 4
PRESACRAL_SLOPE_START_PX = 12
PRESACRAL_SLOPE = 0.35


def normalise(vol: np.ndarray) -> np.ndarray:
    """Per-volume percentile normalisation: clip to [p1, p99] of all voxels, scale to [0, 1]."""
    lo, hi = np.percentile(vol, [LOW_PERCENTILE, HIGH_PERCENTILE])
    if hi <= lo:
        raise ValueError(f"degenerate intensity range p{LOW_PERCENTILE}={lo} p{HIGH_PERCENTILE}={hi}")
    return np.clip((vol.astype(np.float32) - lo) / (hi - lo), 0.0, 1.0)


def gap_between(lab: np.ndarray, upper: int, lower: int, max_gap_px: int) -> np.ndarray:
    """Pixels between instance `upper` (above) and `lower` (below) in each column where both exist.

    lab: [H, W] instance labels of one sagittal slice. Returns a bool mask [H, W]."""
    out = np.zeros(lab.shape, bool)
    up, lo = lab == upper, lab == lower
    cols = np.where(up.any(0) & lo.any(0))[0]
    for c in cols:
        bottom_of_upper = np.where(up[:, c])[0].max()
        top_of_lower = np.where(lo[:, c])[0].min()
        gap = top_of_lower - bottom_of_upper - 1
        if 1 <= gap <= max_gap_px:
            out[bottom_of_upper + 1: top_of_lower, c] = True
    # keep only the largest connected piece (drop stray columns at irregular edges)
    cc, n = ndimage.label(out)
    if n > 1:
        sizes = ndimage.sum(out, cc, range(1, n + 1))
        out = cc == (1 + int(np.argmax(sizes)))
    return out


def end_bands(lab3: np.ndarray) -> np.ndarray:
    """Ignored band [H, W] above the first and below the last labelled instance (whole volume).

    The band spans the AP extent of that end instance ± END_MARGIN_PX: there lie unlabelled
    structures of the same kind (e.g. T12 above L1, S1 below L5) and the adjacent discs."""
    h, w = lab3.shape[:2]
    band = np.zeros((h, w), bool)
    ids = [i for i in np.unique(lab3) if i > 0]
    if not ids:
        return band
    for inst, above in ((ids[0], True), (ids[-1], False)):
        m = (lab3 == inst).any(2)
        rows, cols = np.where(m)
        c0, c1 = max(0, cols.min() - END_MARGIN_PX), min(w, cols.max() + END_MARGIN_PX + 1)
        if above:
            band[: rows.min() + (rows.max() - rows.min()) // 2, c0:c1] = True
        else:
            band[rows.min() + (rows.max() - rows.min()) // 2:, c0:c1] = True
    return band


def presacral_background(lab: np.ndarray, last: int) -> np.ndarray:
    """Pixels [H, W] of one sagittal slice below the lowest labelled instance `last` and more than
    PRESACRAL_MARGIN_PX in front of its anterior edge (columns run anterior → posterior). Empty when
    the slice does not show that instance."""
    out = np.zeros(lab.shape, bool)
    rows, cols = np.where(lab == last)
    if rows.size == 0:
        return out
    bottom = rows.max()
    for r in range(bottom + 1, lab.shape[0]):
        front = cols.min() - PRESACRAL_MARGIN_PX + int(max(0, r - bottom - PRESACRAL_SLOPE_START_PX) * PRESACRAL_SLOPE)
        out[r, :max(0, front)] = True
    return out


def build_allowed(lab3: np.ndarray, known_bit: int, pseudo_bit: int, other_bits: int) -> np.ndarray:
    """Allowed-class bit sets [H, W, S] for a volume whose instances are class `known_bit`.

    known instances → known_bit; gap between consecutive instances (pseudo) → pseudo_bit;
    everything else → other_bits; ring around pseudo-labels and end bands → ALL (ignored), except
    the presacral part of the lower band (presacral_background) → BIT_BG."""
    max_gap = int(round(MAX_GAP_MM["disc" if pseudo_bit == BIT_DISC else "vertebral_body"] / PIXEL_SPACING_MM))
    bands = end_bands(lab3)
    ids3 = [int(i) for i in np.unique(lab3) if i > 0]
    out = np.empty(lab3.shape, np.uint8)
    struct = ndimage.generate_binary_structure(2, 1)
    for s in range(lab3.shape[2]):
        lab = lab3[:, :, s]
        a = np.full(lab.shape, other_bits, np.uint8)
        known = lab > 0
        pseudo = np.zeros(lab.shape, bool)
        ids = set(int(i) for i in np.unique(lab) if i > 0)
        for i in sorted(ids):
            if i + 1 in ids:
                pseudo |= gap_between(lab, i, i + 1, max_gap)
        pseudo &= ~known
        ring_src = pseudo | known
        ring = ndimage.binary_dilation(ring_src, struct, RING_PX) & ~ring_src
        a[bands & ~known] = ALL
        if ids3:
            a[bands & presacral_background(lab, ids3[-1]) & ~known] = BIT_BG
        a[ring] = ALL
        a[pseudo] = pseudo_bit
        a[known] = known_bit
        out[:, :, s] = a
    return out


def resample_inplane(vol: np.ndarray, order: int) -> np.ndarray:
    """1.0 mm → PIXEL_SPACING_MM on axes 0 and 1 (axis 2 unchanged)."""
    z = 1.0 / PIXEL_SPACING_MM
    return ndimage.zoom(vol, (z, z, 1.0), order=order, prefilter=False, grid_mode=True, mode="nearest")


def make_split(cases: list[dict]) -> dict:
    """Fixed held-out split: VAL_FRACTION of each source (at least 1), seeded shuffle."""
    rng = np.random.default_rng(SPLIT_SEED)
    by_src: dict[str, list[str]] = {}
    for c in cases:
        by_src.setdefault(c["case"].split("_")[0], []).append(c["case"])
    val: list[str] = []
    for src, ids in sorted(by_src.items()):
        ids = sorted(ids)
        n = max(1, int(round(VAL_FRACTION * len(ids))))
        val += sorted(rng.choice(ids, n, replace=False).tolist())
    train = sorted(c["case"] for c in cases if c["case"] not in val)
    return {"seed": SPLIT_SEED, "valFraction": VAL_FRACTION, "rule": "per source (vb1, vb2, vb3, ivd) round(20%) cases, numpy default_rng(seed).choice",
            "train": train, "val": sorted(val)}


def overlay_png(img: np.ndarray, allowed: np.ndarray, path: str) -> None:
    from PIL import Image
    g = (img.astype(np.float32) * 255).astype(np.uint8)
    rgb = np.stack([g, g, g], -1).astype(np.float32)
    colours = {BIT_VB: (255, 60, 60), BIT_DISC: (60, 255, 60), ALL: (80, 80, 255), BIT_BG | BIT_VB: (0, 0, 0)}
    for code, col in colours.items():
        if code == BIT_BG | BIT_VB:
            continue
        m = allowed == code
        rgb[m] = 0.55 * rgb[m] + 0.45 * np.array(col, np.float32)
    Image.fromarray(rgb.clip(0, 255).astype(np.uint8)).resize((rgb.shape[1] * 2, rgb.shape[0] * 2)).save(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(HERE, "../../../shared/data/segmentation"))
    ap.add_argument("--cache", default=os.path.join(HERE, "cache"))
    args = ap.parse_args()
    csv_path = os.path.join(args.data, "cases.csv")
    if not os.path.exists(csv_path):
        sys.exit(f"prepare.py: {csv_path} not found — pass --data <folder with cases.csv and *_image.nii.gz>")
    with open(csv_path) as f:
        cases = list(csv.DictReader(f))
    os.makedirs(os.path.join(args.cache, "overlays"), exist_ok=True)
    split = make_split(cases)
    with open(os.path.join(HERE, "split.json"), "w") as f:
        json.dump(split, f, indent=1)
    for c in cases:
        case = c["case"]
        out = os.path.join(args.cache, f"{case}.npz")
        if os.path.exists(out):
            continue
        img = np.asarray(nib.load(os.path.join(args.data, f"{case}_image.nii.gz")).dataobj)
        lab = np.asarray(nib.load(os.path.join(args.data, f"{case}_label.nii.gz")).dataobj).astype(np.uint8)
        if img.shape != lab.shape:
            # vb2_04 ships a label one slice longer than its image; both affines share the origin,
            # so crop to the common extent (the extra slice carries no foreground there).
            common = tuple(min(a, b) for a, b in zip(img.shape, lab.shape))
            print(f"{case}: image {img.shape} != label {lab.shape}; cropping both to {common}", flush=True)
            img, lab = img[: common[0], : common[1], : common[2]], lab[: common[0], : common[1], : common[2]]
        img = resample_inplane(normalise(img), 1)
        lab = resample_inplane(lab, 0)
        if c["structure"] == "disc":
            allowed = build_allowed(lab, BIT_DISC, BIT_VB, BIT_BG | BIT_VB)
        else:
            allowed = build_allowed(lab, BIT_VB, BIT_DISC, BIT_BG)
        np.savez_compressed(out, image=img.astype(np.float16), allowed=allowed,
                            structure=c["structure"], source=case.split("_")[0])
        mid = int(np.argmax((lab > 0).sum((0, 1))))
        overlay_png(img[:, :, mid], allowed[:, :, mid], os.path.join(args.cache, "overlays", f"{case}_s{mid}.png"))
        print(case, img.shape, "labelled slices", int(((lab > 0).sum((0, 1)) > 0).sum()), flush=True)


if __name__ == "__main__":
    main()
