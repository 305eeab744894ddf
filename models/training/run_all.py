#!/usr/bin/python3
"""Reproduce the shipped model end to end: prepare → train → export → fine-tune → export.

    /usr/bin/python3 models/training/run_all.py --data ../shared/data/segmentation [--minutes 40] [--fine-tune-minutes 25]

On 2 CPU cores: prepare ≈ 1 min, train = --minutes (wall-clock budget), fine-tune = --fine-tune-minutes
(from the exported model, BatchNorm frozen, lr 3e-4), each export < 1 min. The shipped v1.2.0 took the same
fine-tune from v1.1.0, which had been trained before prepare.py gave the presacral background (docs/analysis.md).
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser(description="prepare, train and export the spine segmentation model")
ap.add_argument("--data", default=os.path.join(HERE, "../../../shared/data/segmentation"))
ap.add_argument("--minutes", default="40")
ap.add_argument("--fine-tune-minutes", default="25")
a = ap.parse_args()
py = sys.executable
onnx = os.path.join(HERE, "..", "spine-sag-unet-v1.onnx")
fine_tuned = os.path.join(HERE, "cache", "fine-tuned.pt")
subprocess.run([py, os.path.join(HERE, "prepare.py"), "--data", a.data], check=True)
subprocess.run([py, os.path.join(HERE, "train.py"), "--minutes", a.minutes], check=True)
subprocess.run([py, os.path.join(HERE, "export.py")], check=True)
subprocess.run([py, os.path.join(HERE, "train.py"), "--minutes", a.fine_tune_minutes, "--init-onnx", onnx, "--lr", "3e-4", "--out", fine_tuned], check=True)
subprocess.run([py, os.path.join(HERE, "export.py"), "--checkpoint", fine_tuned], check=True)
