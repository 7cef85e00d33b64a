#!/usr/bin/env python3
"""Per-speaker breakdown of a keyword-spotting split, for the figures in docs/audio.md ("The shipped kws model",
"Further attempts"). Standard library only.

The split's IDX files hold the clips in manifest order (precsearch train --write-splits), so row i of the split is the
i-th manifest row of that split. Speakers are grouped as the docs group them: "espeak" (the espeak-ng variants' speech),
"kal_festival", "kal_flite", "kal_flite16" (the held-out diphone speaker by engine; "awb" on validation), and "noise"
(the silence clips of any speaker).

Usage:
  speaker_breakdown.py MANIFEST SPLIT_DIR [--split test|validation] [--cut OUT_PREFIX] [--run RUN_JSON]

  - always: per group, the clip count and the mean and per-utterance standard deviation of each of the 10 MFCC
    coefficients (8-bit steps) over its speech clips;
  - --cut: writes OUT_PREFIX-GROUP-images-idx3-ubyte / -labels-idx1-ubyte per group, to measure each with
    `precsearch evaluate --model M --data OUT_PREFIX-GROUP-images-idx3-ubyte --weight-bits 16 --activation-bits 16`;
  - --run: the JSON of `precsearch run --json ... SPLIT_DIR/t10k-images-idx3-ubyte` (or the validation file) on the
    same split: per group its accuracy at the point that ran, per group and word its accuracy, and the commonest errors.
"""
import argparse
import collections
import csv
import json
import math
import struct
import sys

CLASSES = "yes no up down left right on off stop go unknown silence".split()
FILES = {"test": "t10k", "validation": "validation"}


def read_idx(images_path, labels_path):
    images = open(images_path, "rb").read()
    labels = open(labels_path, "rb").read()
    count, rows, columns = struct.unpack(">III", images[4:16])
    if struct.unpack(">I", labels[4:8])[0] != count or len(images) != 16 + count * rows * columns:
        sys.exit(f"{images_path}: header and size do not match {labels_path}")
    return images, labels, count, rows, columns


def group_of(row):
    if row["label"] == "silence":
        return "noise"
    if row["voice"].startswith("espeak-ng:"):
        return "espeak"
    engine, voice = row["voice"].split(":")[:2]
    if engine == "flite":
        return f"{row['speaker']}_flite16" if voice.endswith("16") else f"{row['speaker']}_flite"
    return f"{row['speaker']}_{engine}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest")
    parser.add_argument("split_dir")
    parser.add_argument("--split", choices=sorted(FILES), default="test")
    parser.add_argument("--cut")
    parser.add_argument("--run")
    args = parser.parse_args()

    prefix = f"{args.split_dir}/{FILES[args.split]}"
    images, labels, count, rows, columns = read_idx(f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
    manifest = [r for r in csv.DictReader(open(args.manifest, newline="")) if r["split"] == args.split]
    if len(manifest) != count:
        sys.exit(f"{args.manifest}: {len(manifest)} {args.split} rows, but the split holds {count} clips")
    for i, row in enumerate(manifest):
        if CLASSES[labels[8 + i]] != row["label"]:
            sys.exit(f"{args.manifest}: row {i} of the {args.split} split is '{row['label']}', the IDX label is "
                     f"'{CLASSES[labels[8 + i]]}'; the split was not written from this manifest")
    groups = collections.defaultdict(list)
    for i, row in enumerate(manifest):
        groups[group_of(row)].append(i)

    size = rows * columns
    print(f"MFCC means (and per-utterance standard deviations) of the speech clips, {args.split} split, 8-bit steps")
    for name, members in sorted(groups.items()):
        if name == "noise":
            continue
        per_clip = []
        for i in members:
            pixels = images[16 + i * size:16 + (i + 1) * size]
            per_clip.append([sum(pixels[t * columns + c] for t in range(rows)) / rows for c in range(columns)])
        means = [sum(clip[c] for clip in per_clip) / len(per_clip) for c in range(columns)]
        deviations = [math.sqrt(sum((clip[c] - means[c]) ** 2 for clip in per_clip) / len(per_clip))
                      for c in range(columns)]
        print(f"  {name:14s} {len(members):4d} clips  mean " + " ".join(f"{m:5.1f}" for m in means)
              + "  sd " + " ".join(f"{d:4.1f}" for d in deviations))

    if args.cut:
        for name, members in sorted(groups.items()):
            with open(f"{args.cut}-{name}-images-idx3-ubyte", "wb") as out:
                out.write(images[:4] + struct.pack(">I", len(members)) + images[8:16])
                for i in members:
                    out.write(images[16 + i * size:16 + (i + 1) * size])
            with open(f"{args.cut}-{name}-labels-idx1-ubyte", "wb") as out:
                out.write(labels[:4] + struct.pack(">I", len(members)) + bytes(labels[8 + i] for i in members))
        print(f"wrote {len(groups)} cuts to {args.cut}-*")

    if args.run:
        inferences = json.load(open(args.run))["inferences"]
        if len(inferences) != count:
            sys.exit(f"{args.run}: {len(inferences)} inferences, but the split holds {count} clips")
        by_group = collections.defaultdict(lambda: [0, 0])
        by_word = collections.defaultdict(lambda: [0, 0])
        errors = collections.Counter()
        for i, inference in enumerate(inferences):
            if inference["trueLabel"] != labels[8 + i]:
                sys.exit(f"{args.run}: inference {i} has true label {inference['trueLabel']}, the split {labels[8 + i]}")
            name = group_of(manifest[i])
            coarse = name.split("_")[0]
            right = inference["label"] == inference["trueLabel"]
            by_group[name][0] += right
            by_group[name][1] += 1
            by_word[(coarse, manifest[i]["label"])][0] += right
            by_word[(coarse, manifest[i]["label"])][1] += 1
            if not right:
                errors[(coarse, manifest[i]["label"], CLASSES[inference["label"]])] += 1
        total = sum(right for right, _ in by_group.values())
        print(f"accuracy at the points that ran: {100 * total / count:.2f}% ({total} of {count})")
        for name, (right, n) in sorted(by_group.items()):
            print(f"  {name:14s} {100 * right / n:6.2f}% ({right} of {n})")
        for (coarse, word), (right, n) in sorted(by_word.items()):
            print(f"  {coarse:8s} {word:8s} {100 * right / n:6.2f}% ({right} of {n})")
        print("commonest errors (speaker group, word, taken for):")
        for (coarse, word, taken), n in sorted(errors.items(), key=lambda item: (-item[1], item[0]))[:10]:
            print(f"  {coarse:8s} {word:8s} -> {taken:8s} {n}")


if __name__ == "__main__":
    main()
