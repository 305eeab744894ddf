#!/usr/bin/python3
"""Train the disc-patch classifier (Pfirrmann grade + disc findings) on SPIDER gradings, cross-validated by patient, and export it.

Input: the disc patches written by `npx tsx scripts/export-disc-crops.ts` (.data/disc-crops/crops.f32,
meta.json: float32 [disc][copy][channel][40][64] (disc-crop.ts: the patch's own p1..p99, and the signal over the image's CSF level), copy 0 = the un-jittered patch the viewer computes, copies 1..
= small shifts/rotations/scalings; per-disc patient, sequence (2D 't2' or 3D 't2_SPACE'), 5-fold assignment by
patient, reader grade 1..5). A patient's SPACE discs share its fold: the fold that holds a patient out holds out
both of its images.

Every model is an ensemble of --members nets (default 3, different seeds) whose probabilities are averaged.
Procedure: for each of the 5 folds a model is trained on the other 4 and predicts the held-out fold
(out-of-fold predictions -> the CV numbers printed, per sequence); then one model is trained on all discs and shipped.
Every model is exported to ONNX (input "patch" [N,2,40,64], output "probabilities" [N,11]: softmax
over Pfirrmann grades I..V, then sigmoid probabilities of the readers' binary findings
FINDINGS = disc narrowing, disc herniation, disc bulging, Modic change (type 1-3), defect of the endplate above
and of the endplate below the disc (SPIDER's "UP endplate" / "LOW endplate", as SpineNet grades them)):
models/pfirrmann-cnn-v1.onnx (shipped; its block in models/manifest.json is rewritten) and
models/pfirrmann-cv/fold<k>.onnx (used by `npm run eval:grading` to report cross-validated numbers on the
same TypeScript pipeline), and models/pfirrmann-cv/training-images.json (the PNG sha256 of each training image
and its fold: eval:grading grades a training image with the fold model that held its patient out, any other
image with the shipped model).

  /usr/bin/python3 models/training/pfirrmann.py [--crops .data/disc-crops] [--epochs 30] [--members 3] [--threads 2]

Then recalibrate (the manifest block written here has no calibration, which is fitted per classifier file):
`npm run eval:grading -- --data ../shared/data/spider_midsagittal --fresh` and the same with `--sequence t2_SPACE`,
then models/training/pfirrmann_calibration.py.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.abspath(os.path.join(HERE, ".."))
NAME, VERSION = "pfirrmann-cnn", "1.6.0"
FINDINGS = ("narrowing", "herniation", "bulging", "modic", "upperEndplate", "lowerEndplate")
FINDING_WEIGHT = 0.5  # loss weight of the binary findings relative to the Pfirrmann cross-entropy


class PfirrmannNet(nn.Module):
    """One ensemble member: conv stages of 12-24-48-64 channels at 40x64, 20x32, 10x16, 5x8 pixels, global average pool, dropout, 5 logits (~75 k parameters, ~11 M multiply-adds per patch: CPU-trainable)."""

    def __init__(self, in_channels: int = 2) -> None:
        super().__init__()

        def stage(cin: int, cout: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                                 nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))
        def conv(cin: int, cout: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))
        self.features = nn.Sequential(conv(in_channels, 12), nn.MaxPool2d(2), stage(12, 24), nn.MaxPool2d(2), stage(24, 48), nn.MaxPool2d(2), conv(48, 64))
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(64, 5 + len(FINDINGS)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).mean(dim=(2, 3)))


class Ensemble(nn.Module):
    """Mean of the members' probabilities (softmax over the 5 grades, sigmoid per finding): the exported model."""

    def __init__(self, nets: list[nn.Module]) -> None:
        super().__init__()
        self.nets = nn.ModuleList(nets)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        probs = [torch.cat([F.softmax(z[:, :5], dim=1), torch.sigmoid(z[:, 5:])], dim=1) for z in (n(x) for n in self.nets)]
        return torch.stack(probs).mean(dim=0)


def augment_intensity(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Channel 0 (the patch's own p1..p99): random gamma (0.7-1.4), contrast/offset change and noise (scanners and windowing
    differ). Channel 1 (signal / the image's CSF level): a random scale (0.85-1.15: the CSF level is itself measured) and noise."""
    out = augment_stretched(x[:, :1], g)
    if x.shape[1] == 1:
        return out
    n = x.shape[0]
    csf = x[:, 1:] * (0.85 + 0.3 * torch.rand(n, 1, 1, 1, generator=g)) + 0.03 * torch.randn(x[:, 1:].shape, generator=g)
    return torch.cat([out, csf], dim=1)


def augment_stretched(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Channel 0's augmentation (the only one before v1.6.0)."""
    n = x.shape[0]
    gamma = torch.exp((torch.rand(n, 1, 1, 1, generator=g) - 0.5) * 0.7)
    y = x.clamp(min=0) ** gamma
    y = y * (0.85 + 0.3 * torch.rand(n, 1, 1, 1, generator=g)) + (torch.rand(n, 1, 1, 1, generator=g) - 0.5) * 0.1
    return y + 0.03 * torch.randn(x.shape, generator=g)


def train(patches: np.ndarray, grades: np.ndarray, findings: np.ndarray, epochs: int, seed: int) -> nn.Module:
    """patches [disc][copy][channel][H][W]; grades 1..5; findings [disc][len(FINDINGS)] 0/1. Each epoch draws one random copy per disc."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    net = PfirrmannNet(patches.shape[2])
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=epochs * ((len(grades) + 63) // 64))
    x_all = torch.from_numpy(patches)
    y_all = torch.from_numpy(grades - 1).long()
    f_all = torch.from_numpy(findings.astype(np.float32))
    counts = np.bincount(grades - 1, minlength=5).astype(np.float32)
    weight = torch.from_numpy((counts.sum() / (5 * np.maximum(counts, 1))) ** 0.5)  # soften class imbalance (few grade V)
    for _ in range(epochs):
        net.train()
        order = torch.randperm(len(grades), generator=g)
        copy = torch.randint(0, patches.shape[1], (len(grades),), generator=g)
        for b in range(0, len(order), 64):
            idx = order[b:b + 64]
            x = augment_intensity(x_all[idx, copy[idx]], g)
            z = net(x)
            loss = F.cross_entropy(z[:, :5], y_all[idx], weight=weight, label_smoothing=0.05) + FINDING_WEIGHT * F.binary_cross_entropy_with_logits(z[:, 5:], f_all[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    net.eval()
    return net


def predict(model: nn.Module, patches: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(patches)).numpy()


def train_ensemble(patches: np.ndarray, grades: np.ndarray, findings: np.ndarray, epochs: int, seeds: list[int]) -> Ensemble:
    """One net per seed on the same discs; averaging damps the run-to-run spread of a small-data CNN."""
    return Ensemble([train(patches, grades, findings, epochs, seed=s) for s in seeds]).eval()


def linear_kappa(t: np.ndarray, p: np.ndarray) -> float:
    o = np.zeros((5, 5))
    for a, b in zip(t, p):
        o[a - 1, b - 1] += 1
    w = np.abs(np.subtract.outer(np.arange(5), np.arange(5))) / 4
    e = np.outer(o.sum(1), o.sum(0)) / o.sum()
    return 1 - (w * o).sum() / (w * e).sum()


def expected_grade(probs: np.ndarray) -> np.ndarray:
    """The grade rule of grade/pfirrmann.ts: the probability-weighted mean grade, rounded (ordinal; CV kappa above argmax)."""
    p = probs[:, :5] / probs[:, :5].sum(1, keepdims=True)
    return np.clip(np.floor(p @ np.arange(1, 6) + 0.5), 1, 5).astype(int)


def auc(score: np.ndarray, label: np.ndarray) -> float:
    pos, neg = score[label == 1], score[label == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    return float(((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg)))


def export(model: nn.Module, path: str, channels: int) -> str:
    torch.onnx.export(model, torch.zeros(1, channels, 40, 64), path, opset_version=17, input_names=["patch"], output_names=["probabilities"],
                      dynamic_axes={"patch": {0: "N"}, "probabilities": {0: "N"}}, do_constant_folding=True)
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


TRAINING_IMAGES = "pfirrmann-cv/training-images.json"


def write_training_images(discs: list[dict]) -> None:
    """TRAINING_IMAGES: {"foldBySha256": {PNG sha256: fold}} of the images whose discs trained the shipped model (meta.json discs)."""
    folds = {d["imageSha256"]: d["fold"] for d in discs}
    with open(os.path.join(MODELS, TRAINING_IMAGES), "w") as f:
        json.dump({"about": "T2 and T2 SPACE images (sha256 of the PNG file) whose discs trained the shipped disc classifier, and the cross-validation fold that "
                   "held each out; written by models/training/pfirrmann.py, read by npm run eval:grading", "foldBySha256": dict(sorted(folds.items()))}, f, indent=1)
        f.write("\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--crops", default=os.path.join(MODELS, "..", ".data", "disc-crops"))
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--members", type=int, default=3, help="nets per ensemble (each fold model and the shipped model)")
    ap.add_argument("--cv-only", action="store_true", help="print the cross-validated numbers, export nothing")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    meta = json.load(open(os.path.join(args.crops, "meta.json")))
    h, w, copies, channels = meta["heightPx"], meta["widthPx"], meta["copies"], meta.get("channels", 1)
    patches = np.fromfile(os.path.join(args.crops, "crops.f32"), dtype=np.float32).reshape(-1, copies, channels, h, w)
    grades = np.array([d["grade"] for d in meta["discs"]])
    findings = np.array([[int(d[k] > 0) for k in FINDINGS] for d in meta["discs"]])
    folds = np.array([d["fold"] for d in meta["discs"]])
    oof = np.zeros((len(grades), 5 + len(FINDINGS)), dtype=np.float32)
    os.makedirs(os.path.join(MODELS, "pfirrmann-cv"), exist_ok=True)
    t0 = time.time()
    fold_sha: list[str] = []
    for k in range(5):
        tr, te = folds != k, folds == k
        net = train_ensemble(patches[tr], grades[tr], findings[tr], args.epochs, seeds=[10 * k + m for m in range(args.members)])
        oof[te] = predict(net, patches[te, 0])
        if not args.cv_only:
            fold_sha.append(export(net, os.path.join(MODELS, "pfirrmann-cv", f"fold{k}.onnx"), channels))
        print(f"fold {k}: {te.sum()} discs, exact {np.mean(oof[te, :5].argmax(1) + 1 == grades[te]):.3f} ({time.time() - t0:.0f} s)", flush=True)
    np.save(os.path.join(args.crops, "oof.npy"), oof)
    argmax = oof[:, :5].argmax(1) + 1
    pred = expected_grade(oof)
    sequences = np.array([d.get("sequence", "t2") for d in meta["discs"]])
    t2 = sequences == "t2"  # the manifest's CV numbers are the 2D T2's (the viewer shows them; 3D has its own kappa)
    for n, k in enumerate(FINDINGS):
        print(f"5-fold CV by patient, t2, {k}: prevalence {findings[t2, n].mean():.3f}, AUC {auc(oof[t2, 5 + n], findings[t2, n]):.3f}")
    for seq in sorted(set(sequences)):
        m = sequences == seq
        for name, p in (("rounded expected grade: the shipped rule", pred), ("most probable grade", argmax)):
            print(f"5-fold CV by patient, {seq} ({m.sum()} discs; {name}): exact {np.mean(p[m] == grades[m]):.3f}, within one {np.mean(np.abs(p[m] - grades[m]) <= 1):.3f}, linear kappa {linear_kappa(grades[m], p[m]):.3f}")
    if args.cv_only:
        return
    net = train_ensemble(patches, grades, findings, args.epochs, seeds=[100 + m for m in range(args.members)])
    fname = f"{NAME}-v{VERSION.split('.')[0]}.onnx"
    sha = export(net, os.path.join(MODELS, fname), channels)
    write_training_images(meta["discs"])
    man_path = os.path.join(MODELS, "manifest.json")
    manifest = json.load(open(man_path))
    manifest["pfirrmann"] = {
        "file": fname, "sha256": sha, "version": VERSION, "bytes": os.path.getsize(os.path.join(MODELS, fname)),
        "input": {"name": "patch", "channels": channels, "heightPx": h, "widthPx": w, "mmPerPx": meta["mmPerPx"], "uStartMm": meta["uStartMm"]},
        "output": {"name": "probabilities", "columns": [f"pfirrmann_{g}" for g in ("I", "II", "III", "IV", "V")] + list(FINDINGS)},
        "cvLinearKappa": round(float(linear_kappa(grades[t2], pred[t2])), 3),
        "cvAuc": {k: round(auc(oof[t2, 5 + n], findings[t2, n]), 3) for n, k in enumerate(FINDINGS)},
        "crossValidationFolds": [{"file": f"pfirrmann-cv/fold{k}.onnx", "sha256": fold_sha[k]} for k in range(5)],
        "trainingImages": TRAINING_IMAGES,
        "training": {"data": "SPIDER mid-sagittal T2 (2D TSE and 3D SPACE) with readers' gradings (../shared/data/spider_midsagittal), discs found and named by the segmentation pipeline",
                     "discs": int(len(grades)), "epochs": args.epochs, "ensembleMembers": args.members, "recipe": "npx tsx scripts/export-disc-crops.ts, then models/training/pfirrmann.py"},
    }
    with open(man_path, "w") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(json.dumps(manifest["pfirrmann"]))


if __name__ == "__main__":
    main()
