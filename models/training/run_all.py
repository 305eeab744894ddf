#!/usr/bin/python3
"""Reproduce the shipped model end to end: prepare → train → export.

    /usr/bin/python3 models/training/run_all.py --data ../shared/data/segmentation [--minutes 40]

On 2 CPU cores: prepare ≈ 1 min, train = --minutes (wall-clock budget), export < 1 min.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser(description="prepare, train and export the spine segmentation model")
ap.add_argument("--data", default=os.path.join(HERE, "../../../shared/data/segmentation"))
ap.add_argument("--minutes", default="40")
a = ap.parse_args()
py = sys.executable
subprocess.run([py, os.path.join(HERE, "prepare.py"), "--data", a.data], check=True)
subprocess.run([py, os.path.join(HERE, "train.py"), "--minutes", a.minutes], check=True)
subprocess.run([py, os.path.join(HERE, "export.py")], check=True)
