#!/usr/bin/python3
"""Train the 2D sagittal spine U-Net on the cached slices of prepare.py (CPU or CUDA).

Input: models/training/cache/<case>.npz (image [H, W, S] float16 in [0, 1], allowed [H, W, S] uint8
bit sets, see prepare.py) and split.json (training never reads the `val` cases).
Output: models/training/cache/model.pt (best validation checkpoint) and train.log lines on stdout.

Loss (partial labels): for each supervised pixel, -log of the summed softmax probability of the
classes it may belong to ("allowed set"); pixels whose set is all classes are ignored. A pixel of
a known class is ordinary cross-entropy; an unlabelled-but-not-disc pixel of an ivd case only says
"not disc". Plus a soft Dice term on pixels whose class is known, for the two structure classes.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ALL, BIT_BG, BIT_DISC, BIT_VB, SIZE_MULTIPLE  # noqa: E402
from net import UNet  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CROP_H, CROP_W = 192, 160  # training patch, pixels at 1.25 mm (240 x 200 mm)
BITS = torch.tensor([BIT_BG, BIT_VB, BIT_DISC], dtype=torch.int64)


def load_cases(cache: str, ids: list[str]) -> list[dict]:
    cases = []
    for case in ids:
        z = np.load(os.path.join(cache, f"{case}.npz"))
        img, allowed = z["image"].astype(np.float32), z["allowed"]
        known = (allowed != ALL) & (allowed != BIT_BG) & (allowed != (BIT_BG | BIT_VB))
        labelled = np.where(known.any((0, 1)))[0]
        empty = np.setdiff1d(np.arange(img.shape[2]), labelled)
        cases.append({"id": case, "image": img, "allowed": allowed, "labelled": labelled, "empty": empty})
    return cases


def load_onnx_weights(model: UNet, path: str) -> None:
    """Initialise from an exported model (BatchNorm folded into the convolutions at export): each conv takes the
    folded weight, each BatchNorm becomes identity + the folded bias (kept in eval mode by freeze_batchnorm)."""
    import onnx
    from onnx import numpy_helper
    graph = onnx.load(path).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    convs = [[inits[x] for x in n.input[1:]] for n in graph.node if n.op_type in ("Conv", "ConvTranspose")]
    order: list[tuple[torch.nn.Module, torch.nn.Module | None]] = []  # (conv, its BatchNorm) in execution order
    for blk in model.enc:
        order += [(blk[0], blk[1]), (blk[3], blk[4])]
    for i in reversed(range(4)):
        order += [(model.up[i], None), (model.dec[i][0], model.dec[i][1]), (model.dec[i][3], model.dec[i][4])]
    order.append((model.head, None))
    if len(order) != len(convs):
        raise ValueError(f"{path}: {len(convs)} convolutions, the network has {len(order)}")
    with torch.no_grad():
        for (conv, bn), (w, b) in zip(order, convs):
            conv.weight.copy_(torch.from_numpy(w))
            if bn is None:
                conv.bias.copy_(torch.from_numpy(b))
            else:
                bn.weight.fill_(1.0)
                bn.bias.copy_(torch.from_numpy(b))
                bn.running_mean.zero_()
                bn.running_var.fill_(1.0 - bn.eps)


def freeze_batchnorm(model: torch.nn.Module) -> None:
    """BatchNorm layers use their stored statistics even in training (fine-tuning a folded export)."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.eval()


def sample_slice(case: dict, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One 2D training slice; sometimes a slab mean simulating a thick slice (partial volume)."""
    use_empty = len(case["empty"]) > 0 and rng.random() < 0.1
    s = int(rng.choice(case["empty"] if use_empty else case["labelled"]))
    img = case["image"]
    if rng.random() < 0.35:  # slice thickness 3-5 mm simulated by averaging neighbouring 1 mm slices
        k = int(rng.integers(1, 3))
        lo, hi = max(0, s - k), min(img.shape[2], s + k + 1)
        im = img[:, :, lo:hi].mean(2)
    else:
        im = img[:, :, s]
    return im, case["allowed"][:, :, s]


def augment_intensity(x: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """x [B,1,H,W] in [0,1]: T1/T2 contrast inversion, gamma, contrast, bias field, blur, noise."""
    b, _, h, w = x.shape
    out = []
    for i in range(b):
        im = x[i : i + 1]
        if rng.random() < 0.3:
            im = 1.0 - im
        im = im.clamp(0, 1) ** float(math.exp(rng.normal(0, 0.35)))
        im = (im - 0.5) * float(rng.uniform(0.7, 1.3)) + 0.5 + float(rng.normal(0, 0.08))
        if rng.random() < 0.5:  # smooth multiplicative bias field
            coarse = torch.from_numpy(rng.normal(0, 0.2, (1, 1, 3, 3)).astype(np.float32))
            im = im * torch.exp(F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=False))
        if rng.random() < 0.3:  # lower resolution
            f = float(rng.uniform(1.3, 2.2))
            small = F.interpolate(im, scale_factor=1 / f, mode="bilinear", align_corners=False)
            im = F.interpolate(small, size=(h, w), mode="bilinear", align_corners=False)
        if rng.random() < 0.5:
            im = im + torch.randn_like(im) * float(rng.uniform(0.0, 0.06))
        out.append(im)
    x = torch.cat(out)
    # re-normalise per image to [0,1] by p1/p99 like the inference normalisation
    flat = x.flatten(1)
    lo = flat.quantile(0.01, dim=1).view(-1, 1, 1, 1)
    hi = flat.quantile(0.99, dim=1).view(-1, 1, 1, 1)
    return ((x - lo) / (hi - lo).clamp_min(1e-3)).clamp(0, 1)


def make_batch(cases: list[dict], n: int, rng: np.random.Generator, extra: list[dict] | None = None, extra_fraction: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Random slices → random rotation/scale/crop to CROP_H x CROP_W. Returns x [n,1,H,W], allowed [n,H,W].
    With `extra`, each sample comes from those cases with probability extra_fraction."""
    xs, ys = [], []
    for _ in range(n):
        pool = extra if extra and rng.random() < extra_fraction else cases
        case = pool[int(rng.integers(len(pool)))]
        im, al = sample_slice(case, rng)
        ang = math.radians(float(rng.uniform(-12, 12)))
        sc = float(math.exp(rng.uniform(-0.2, 0.2)))
        h, w = im.shape
        # crop centre near labelled structure most of the time
        fg = np.argwhere((al != ALL) & (al != BIT_BG))
        if len(fg) and rng.random() < 0.85:
            cy, cx = fg[int(rng.integers(len(fg)))]
        else:
            cy, cx = rng.integers(h), rng.integers(w)
        # affine_grid maps output [-1,1] coords to input; build crop of CROP size at scale sc around (cy,cx)
        theta = torch.tensor(
            [[math.cos(ang) * sc * CROP_W / w, -math.sin(ang) * sc * CROP_H / w, (2 * cx + 1) / w - 1],
             [math.sin(ang) * sc * CROP_W / h, math.cos(ang) * sc * CROP_H / h, (2 * cy + 1) / h - 1]],
            dtype=torch.float32).unsqueeze(0)
        grid = F.affine_grid(theta, [1, 1, CROP_H, CROP_W], align_corners=False)
        ti = torch.from_numpy(np.ascontiguousarray(im))[None, None]
        ta = torch.from_numpy(al.astype(np.float32))[None, None]
        xi = F.grid_sample(ti, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        # outside the image: background known only where nothing was labelled nearby -> use ignore
        ya = F.grid_sample(ta + 0.0, grid, mode="nearest", padding_mode="zeros", align_corners=False)
        ya[ya == 0] = ALL
        xs.append(xi)
        ys.append(ya[:, 0].long())
    return torch.cat(xs), torch.cat(ys)


def partial_loss(logits: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
    """logits [B,C,H,W], allowed [B,H,W] bit sets. Mean of -log P(allowed set) + soft Dice on known pixels."""
    logp = F.log_softmax(logits, 1)
    mask = (allowed[:, None] & BITS.view(1, -1, 1, 1).to(allowed.device)) > 0  # [B,C,H,W]
    sup = allowed != ALL
    lse = torch.logsumexp(logp.masked_fill(~mask, -1e4), 1)
    ce = -(lse[sup]).mean() if sup.any() else logits.sum() * 0
    p = logp.exp()
    dice_terms = []
    for c, bit in ((1, BIT_VB), (2, BIT_DISC)):
        known = sup & ((allowed == bit) | ((allowed & bit) == 0))  # pixel is surely c, or surely not c
        t = (allowed == bit).float()
        if t[known].sum() < 1:
            continue
        pc = p[:, c][known]
        tc = t[known]
        dice_terms.append(1 - (2 * (pc * tc).sum() + 1) / (pc.sum() + tc.sum() + 1))
    dice = torch.stack(dice_terms).mean() if dice_terms else ce * 0
    return ce + dice


@torch.no_grad()
def validate(model: torch.nn.Module, cases: list[dict], device: str) -> dict:
    """Dice per class over the labelled slices of the held-out cases (known pixels only, 2D, summed)."""
    model.eval()
    inter = {1: 0.0, 2: 0.0}
    total = {1: 0.0, 2: 0.0}
    for case in cases:
        for s in case["labelled"][:: 2]:
            im = case["image"][:, :, s]
            al = case["allowed"][:, :, s]
            h, w = im.shape
            H = -(-h // SIZE_MULTIPLE) * SIZE_MULTIPLE
            W = -(-w // SIZE_MULTIPLE) * SIZE_MULTIPLE
            x = torch.zeros(1, 1, H, W)
            x[0, 0, :h, :w] = torch.from_numpy(im)
            pred = model(x.to(device)).argmax(1)[0, :h, :w].cpu().numpy()
            for c, bit in ((1, BIT_VB), (2, BIT_DISC)):
                known = (al == bit) | ((al & bit) == 0)
                t = (al == bit) & known
                pc = (pred == c) & known
                inter[c] += float((t & pc).sum())
                total[c] += float(t.sum() + pc.sum())
    model.train()
    return {"vertebral_body": 2 * inter[1] / max(total[1], 1), "disc": 2 * inter[2] / max(total[2], 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description="Train the sagittal spine U-Net.")
    ap.add_argument("--cache", default=os.path.join(HERE, "cache"))
    ap.add_argument("--minutes", type=float, default=45.0, help="wall-clock training budget")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--base", type=int, default=16, help="channels of the first U-Net level")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lr", type=float, default=2e-3, help="peak learning rate (cosine decay over --minutes)")
    ap.add_argument("--init-onnx", help="start from this exported model (fine-tuning; BatchNorm statistics frozen)")
    ap.add_argument("--extra-cases", help="JSON list of more cache case ids (e.g. cache/spider_cases.json from prepare_spider.py)")
    ap.add_argument("--extra-fraction", type=float, default=0.3, help="share of training samples drawn from --extra-cases")
    ap.add_argument("--out", help="checkpoint path (default cache/model.pt)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    split = json.load(open(os.path.join(HERE, "split.json")))
    train = load_cases(args.cache, split["train"])
    val = load_cases(args.cache, split["val"])
    extra = load_cases(args.cache, json.load(open(args.extra_cases))) if args.extra_cases else None
    model = UNet(base=args.base)
    if args.init_onnx:
        load_onnx_weights(model, args.init_onnx)
    model = model.to(device)
    train_mode = (lambda: (model.train(), freeze_batchnorm(model))) if args.init_onnx else model.train
    print(f"params {sum(p.numel() for p in model.parameters())}, train cases {len(train)} + extra {len(extra or [])}, val {len(val)}, device {device}", flush=True)
    if args.init_onnx:
        print(f"initial val ({args.init_onnx}): {json.dumps(validate(model, val, device))}", flush=True)
    train_mode()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    budget = args.minutes * 60
    t0 = time.time()
    step, best, last_val = 0, -1.0, t0
    out = args.out or os.path.join(args.cache, "model.pt")
    while True:
        elapsed = time.time() - t0
        if elapsed > budget:
            break
        lr = args.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, elapsed / budget)))
        for g in opt.param_groups:
            g["lr"] = max(lr, 5e-5)
        x, y = make_batch(train, args.batch, rng, extra, args.extra_fraction)
        x = augment_intensity(x, rng)
        loss = partial_loss(model(x.to(device)), y.to(device))
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 25 == 0:
            print(f"step {step} t {elapsed:.0f}s loss {loss.item():.4f} lr {lr:.2e}", flush=True)
        if time.time() - last_val > 300 or time.time() - t0 > budget:
            last_val = time.time()
            d = validate(model, val, device)
            train_mode()
            score = d["vertebral_body"] + d["disc"]
            print(f"val step {step}: {json.dumps(d)}", flush=True)
            if score > best:
                best = score
                torch.save({"state": model.state_dict(), "base": args.base, "val": d, "step": step}, out)
    d = validate(model, val, device)
    print(f"final val: {json.dumps(d)}", flush=True)
    if d["vertebral_body"] + d["disc"] > best:
        torch.save({"state": model.state_dict(), "base": args.base, "val": d, "step": step}, out)
    print(f"saved best checkpoint to {out}", flush=True)


if __name__ == "__main__":
    main()
