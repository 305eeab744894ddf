#!/usr/bin/python3
"""Fit the Pfirrmann calibration: a linear map from the disc classifier's mean grade and the measured Pfirrmann criteria to the grade.

Why: the classifier's probability-weighted mean grade, rounded, pulls towards the middle grades (grade V discs
were called V 8 % of the time in cross-validation) and ignores what the pipeline measures of Pfirrmann's own
criteria (nucleus/CSF signal, nucleus-annulus contrast, disc height index; Pfirrmann C.W.A. et al., Spine
2001;26(17):1873-8). The calibrated score is

    score = intercept + w_meanGrade * meanGrade + sum_f w_f * feature_f      (a missing feature takes its cohort mean)

fitted by least squares to the readers' grades and then stretched so that the scores spread like the readers'
grades (same mean and standard deviation: linear-weighted kappa rewards matching the readers' use of the
whole scale); the grade is the score rounded half up, clamped to I..V (extension/src/pipeline/grade/pfirrmann.ts).

Input: the rows `npm run eval:grading -- --data ../shared/data/spider_midsagittal --fresh` caches in
.data/eval-grading-features.json (2D T2), and with `--sequence t2_SPACE` in .data/eval-grading-features-t2_SPACE.json
(3D T2 SPACE; fitting on both keeps the signal ratios from pushing SPACE grades up, where CSF is brighter): per graded disc the TypeScript pipeline's Pfirrmann features, the
probabilities of the fold classifier that never saw the patient (outOfSampleProbabilities) and the patient's fold.
Only the classifier's training patients (rows with a fold) and their out-of-fold probabilities are used (the
shipped classifier is in-sample on them).

Writes into models/manifest.json "pfirrmann": "calibration" (fitted on all rows; used by the viewer) and
crossValidationFolds[k].calibration (fitted on the rows of the other folds; eval:grading grades fold k with
it), and "cvLinearKappa" = the calibrated grade's linear kappa over the folds on the first cache (2D T2, what
the viewer shows beside a grade), "cvLinearKappa3d" the same on the second (3D T2 SPACE, shown on a 3D series). Each calibration records the
sha256 of the classifier it was fitted for; the viewer refuses a calibration fitted for another classifier.
Recipe order: pfirrmann.py (classifier), then eval:grading --fresh (and with --sequence t2_SPACE), then this script.

  /usr/bin/python3 models/training/pfirrmann_calibration.py [--cache T2.json [SPACE.json ...]] [--dry-run]
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np

from pfirrmann import linear_kappa

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
# Pfirrmann's two signal criteria as build-report.ts measures them (PfirrmannFeatures of grade/pfirrmann.ts): nucleus
# signal relative to CSF, and nucleus-annulus distinction. Chosen on the cross-validation below (all 32 subsets of
# the five measured ratios scored 0.45-0.48; mean grade alone 0.455, all five 0.475, these two 0.481), then for
# sense: both weights come out negative (a brighter nucleus, a clearer nucleus-annulus border -> a lower grade),
# while the height index's weight came out positive (collinear with the mean grade, which sees the height).
FEATURES = ("nucleusCsfSignalRatio", "nucleusAnnulusContrast")


def mean_grade(probabilities: list[float]) -> float:
    p = np.asarray(probabilities[:5], dtype=float)
    return float(p @ np.arange(1, 6) / p.sum())


def feature_matrix(rows: list[dict]) -> np.ndarray:
    """[disc][feature], NaN where the pipeline measured nothing."""
    def value(r: dict, k: str) -> float:
        v = (r.get("features") or {}).get(k)
        return float(v) if v is not None and np.isfinite(v) else np.nan
    return np.array([[value(r, k) for k in FEATURES] for r in rows])


def fit(rows: list[dict]) -> dict:
    """Least squares on [meanGrade, features], then stretched to the readers' spread (see the module docstring)."""
    feats = feature_matrix(rows)
    means = np.nanmean(feats, axis=0)
    x = np.c_[[mean_grade(r["outOfSampleProbabilities"]) for r in rows], np.where(np.isnan(feats), means, feats)]
    t = np.array([r["grade"] for r in rows], dtype=float)
    a = np.c_[x, np.ones(len(t))]
    w = np.linalg.lstsq(a, t, rcond=None)[0]
    stretch = t.std() / (a @ w).std()
    weights = w[:-1] * stretch
    intercept = t.mean() + stretch * (w[-1] - t.mean())
    return {"intercept": round(float(intercept), 5), "weights": {k: round(float(v), 5) for k, v in zip(("meanGrade",) + FEATURES, weights)},
            "featureMeans": {k: round(float(m), 5) for k, m in zip(FEATURES, means)}, "discs": len(rows)}


def grade(rows: list[dict], c: dict) -> np.ndarray:
    feats = feature_matrix(rows)
    means = np.array([c["featureMeans"][k] for k in FEATURES])
    x = np.c_[[mean_grade(r["outOfSampleProbabilities"]) for r in rows], np.where(np.isnan(feats), means, feats)]
    score = c["intercept"] + x @ np.array([c["weights"][k] for k in ("meanGrade",) + FEATURES])
    return np.clip(np.floor(score + 0.5), 1, 5).astype(int)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", nargs="+", help="eval:grading caches; the first one's CV kappa is recorded (default: the 2D T2 and the T2 SPACE cache)",
                    default=[os.path.join(ROOT, ".data", f"eval-grading-features{s}.json") for s in ("", "-t2_SPACE")])
    ap.add_argument("--manifest", default=os.path.join(ROOT, "models", "manifest.json"))
    ap.add_argument("--dry-run", action="store_true", help="print the cross-validated numbers, write nothing")
    args = ap.parse_args()
    rows, source = [], []
    for n, path in enumerate(args.cache):
        if not os.path.exists(path):
            raise SystemExit(f"{path}: missing; run `npm run eval:grading -- --data ../shared/data/spider_midsagittal --fresh` (and with `--sequence t2_SPACE`) first")
        kept = [r for r in json.load(open(path))["rows"] if r.get("detected") and r.get("outOfSampleProbabilities") and r.get("fold") is not None]
        if not kept:
            raise SystemExit(f"{path}: no graded discs of the classifier's training patients")
        rows += kept
        source += [n] * len(kept)
    source = np.array(source)
    manifest = json.load(open(args.manifest))
    block = manifest["pfirrmann"]
    folds = np.array([r["fold"] for r in rows])
    truth = np.array([r["grade"] for r in rows])
    uncalibrated = np.clip(np.floor(np.array([mean_grade(r["outOfSampleProbabilities"]) for r in rows]) + 0.5), 1, 5).astype(int)
    calibrated = np.zeros(len(rows), dtype=int)
    for k, entry in enumerate(block["crossValidationFolds"]):
        train = [r for r, f in zip(rows, folds) if f != k]
        entry["calibration"] = {**fit(train), "classifierSha256": entry["sha256"]}
        calibrated[folds == k] = grade([r for r, f in zip(rows, folds) if f == k], entry["calibration"])
    kappa = float(linear_kappa(truth[source == 0], calibrated[source == 0]))
    for n, path in enumerate(args.cache):
        m = source == n
        for name, p in (("rounded mean grade (uncalibrated)", uncalibrated[m]), ("calibrated", calibrated[m])):
            print(f"{os.path.basename(path)}, {name}: {len(p)} discs, exact {np.mean(p == truth[m]):.3f}, within one {np.mean(np.abs(p - truth[m]) <= 1):.3f}, "
                  f"linear kappa {linear_kappa(truth[m], p):.3f}, grade V called {np.mean(p[truth[m] == 5] == 5):.3f} of reader grade V")
    block["calibration"] = {**fit(rows), "classifierSha256": block["sha256"]}
    block["cvLinearKappa"] = round(kappa, 3)
    if len(args.cache) > 1:
        block["cvLinearKappa3d"] = round(float(linear_kappa(truth[source == 1], calibrated[source == 1])), 3)
    else:
        block.pop("cvLinearKappa3d", None)
    print(json.dumps(block["calibration"]))
    if args.dry_run:
        return
    with open(args.manifest, "w") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
