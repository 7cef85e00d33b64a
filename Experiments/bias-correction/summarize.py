#!/usr/bin/env python3
"""Table of Experiments/bias-correction/run.sh's results: summarize.py OUT > table.md

One row per (task, b): top-1 % at uniform WbAb with bias correction off and on, and on minus off (points), on the
validation and the test split (a split not measured shows as '-'); the float reference's accuracy per task and split."""
import glob, json, os, re, sys

out = sys.argv[1]
results, floats, images = {}, {}, {}
for path in sorted(glob.glob(os.path.join(out, "*.json"))):
    m = re.match(r"(\w+)-(validation|test)-w(\d+)a(\d+)-(on|off)\.json$", os.path.basename(path))
    if not m:
        continue
    task, split, w, a, setting = m.group(1), m.group(2), int(m.group(3)), int(m.group(4)), m.group(5)
    d = json.load(open(path))
    results[(task, split, w, setting)] = 100 * d["accuracy"]["fixedPoint"]
    floats[(task, split)] = 100 * d["accuracy"]["floatReference"]
    images[(task, split)] = d["data"]["evaluatedImages"]

tasks = [t for t in ["fashion", "kws", "fer", "cifar10"] if any(k[0] == t for k in results)]
print("| task | WbAb | validation off | validation on | validation delta | test off | test on | test delta |")
print("|---|---|---|---|---|---|---|---|")
for task in tasks:
    for b in sorted({k[2] for k in results if k[0] == task}, reverse=True):
        cells = []
        for split in ["validation", "test"]:
            off, on = results.get((task, split, b, "off")), results.get((task, split, b, "on"))
            cells += ["-" if off is None else "%.2f" % off, "-" if on is None else "%.2f" % on,
                      "-" if off is None or on is None else "%+.2f" % (on - off)]
        print("| %s | W%dA%d | %s |" % (task, b, b, " | ".join(cells)))
print()
print("Float reference (top-1 %, images): " + "; ".join(
    "%s %s %.2f (%d)" % (t, s, floats[(t, s)], images[(t, s)]) for t in tasks for s in ["validation", "test"]
    if (t, s) in floats))
