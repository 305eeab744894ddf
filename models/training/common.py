"""Shared constants of the spine sagittal segmentation recipe (one source of truth for
prepare.py, train.py, evaluate.py and export.py).

Canonical slice: a 2D sagittal slice, rows = superior→inferior, columns = anterior→posterior
(NIfTI array axes [0, 1] of the shared data; SPIDER PNG convention: head at top, anterior left).
"""
from __future__ import annotations

PIXEL_SPACING_MM = 1.25  # isotropic in-plane spacing of the network input (rows, columns), mm
SIZE_MULTIPLE = 16  # H and W of the network input are padded (bottom/right, zeros) to a multiple of this
LOW_PERCENTILE = 1.0  # per-volume intensity percentile mapped to 0
HIGH_PERCENTILE = 99.0  # per-volume intensity percentile mapped to 1

CLASSES = [
    {"index": 0, "name": "background", "label": "Background"},
    {"index": 1, "name": "vertebral_body", "label": "Vertebral body", "snomed": "3572006"},
    {"index": 2, "name": "disc", "label": "Intervertebral disc"},
]

# Per-pixel supervision is a bit set of the classes the pixel may belong to ("allowed set").
BIT_BG, BIT_VB, BIT_DISC = 1, 2, 4
ALL = BIT_BG | BIT_VB | BIT_DISC  # unknown / ignored pixel

SPLIT_SEED = 20261122
VAL_FRACTION = 0.2
