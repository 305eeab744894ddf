"""Small 2D U-Net for sagittal spine slices (input [B,1,H,W], H and W multiples of 16; output logits [B,3,H,W]).

Ops chosen for onnxruntime-web wasm/WebGPU: Conv, BatchNormalization (folded at export), Relu, MaxPool,
ConvTranspose, Concat. Ronneberger O. et al., U-Net, MICCAI 2015 (architecture), scaled down.
"""
from __future__ import annotations

import torch
from torch import nn


def block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    def __init__(self, base: int = 16, classes: int = 3) -> None:
        super().__init__()
        c = [base, base * 2, base * 4, base * 8, base * 8]
        self.enc = nn.ModuleList([block(1, c[0])] + [block(c[i], c[i + 1]) for i in range(4)])
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList([nn.ConvTranspose2d(c[i + 1], c[i], 2, stride=2) for i in range(4)])
        self.dec = nn.ModuleList([block(2 * c[i], c[i]) for i in range(4)])
        self.head = nn.Conv2d(c[0], classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for i, enc in enumerate(self.enc):
            x = enc(x if i == 0 else self.pool(x))
            skips.append(x)
        x = skips.pop()
        for i in reversed(range(4)):
            x = self.dec[i](torch.cat([self.up[i](x), skips[i]], 1))
        return self.head(x)
