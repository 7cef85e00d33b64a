#!/usr/bin/env python3
"""How closely precsearch's --resize rule (Sources/PrecSearchIO/Datasets/ImageResize.swift) matches OpenCV's
cv2.resize(..., interpolation=cv2.INTER_LINEAR) on 8-bit images.

The rule is written here again in NumPy, from its documentation (half-pixel centres computed in double and rounded
to float32, edge clamping, 11-bit weights rounded half to even, 32-bit horizontal sums, (b0*S0 + b1*S1 + 2^21) >> 22).
LabelsCSVFolderTests checks that the Swift code computes this rule exactly; this script measures the rule against
OpenCV on seeded random images of the sizes a user would resize between, and prints the share of equal pixels and
the histogram of differences.

    python3 -m pip install opencv-python-headless numpy
    python3 Experiments/import-check/resize_check.py [--seed 1]
"""
import argparse

import cv2
import numpy as np


def taps(source, destination):
    scale = 1.0 / (destination / source)
    index, w0, w1 = [], [], []
    for d in range(destination):
        f = np.float32((d + 0.5) * scale - 0.5)
        s = int(np.floor(f))
        f = np.float32(f - np.float32(s))
        if s < 0:
            s, f = 0, np.float32(0)
        if s >= source - 1:
            s, f = source - 1, np.float32(0)
        index.append(s)
        w0.append(int(np.rint((np.float32(1) - f) * np.float32(2048))))
        w1.append(int(np.rint(f * np.float32(2048))))
    return np.array(index), np.array(w0, dtype=np.int64), np.array(w1, dtype=np.int64)


def precsearch_resize(image, height, width):
    rows = taps(image.shape[0], height)
    cols = taps(image.shape[1], width)
    src = image.astype(np.int64)
    right = np.minimum(cols[0] + 1, image.shape[1] - 1)
    horizontal = src[:, cols[0], :] * cols[1][None, :, None] + src[:, right, :] * cols[2][None, :, None]
    below = np.minimum(rows[0] + 1, image.shape[0] - 1)
    # OpenCV's vectorized vertical step: 16-bit high products of the sums shifted right by 4, then (x + 2) >> 2.
    top = (rows[1][:, None, None] * (horizontal[rows[0]] >> 4)) >> 16
    bottom = (rows[2][:, None, None] * (horizontal[below] >> 4)) >> 16
    return np.clip((top + bottom + 2) >> 2, 0, 255).astype(np.uint8)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    cases = [((48, 48, 1), (64, 64)), ((32, 32, 3), (96, 96)), ((64, 64, 3), (32, 32)), ((28, 28, 1), (32, 32)),
             ((48, 48, 1), (40, 40)), ((37, 53, 3), (50, 20))]
    print(f"OpenCV {cv2.__version__}, seed {args.seed}, 20 random images per case")
    total_equal = total = 0
    histogram = {}
    for shape, (height, width) in cases:
        equal = count = 0
        for _ in range(20):
            image = rng.integers(0, 256, size=shape, dtype=np.uint8)
            ours = precsearch_resize(image, height, width)
            theirs = cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)
            if theirs.ndim == 2:
                theirs = theirs[:, :, None]
            difference = ours.astype(int) - theirs.astype(int)
            for value, n in zip(*np.unique(difference, return_counts=True)):
                histogram[int(value)] = histogram.get(int(value), 0) + int(n)
            equal += int((difference == 0).sum())
            count += difference.size
        total_equal += equal
        total += count
        print(f"{shape[0]}x{shape[1]}x{shape[2]} -> {height}x{width}: {100 * equal / count:.3f}% of pixels equal")
    print(f"all: {100 * total_equal / total:.3f}% equal; differences (precsearch - OpenCV): "
          + ", ".join(f"{k:+d}: {v}" for k, v in sorted(histogram.items())))


if __name__ == "__main__":
    main()
