#!/usr/bin/env python3
"""Table of Experiments/bias-correction/run.sh's results: summarize.py OUT > table.md
(summarize.py OUT --tsv > uniform.tsv: one row per evaluate run instead.)

One row per (task, configuration WbAa): top-1 % with bias correction off and on, and on minus off (points), on the
validation and the test split (a split not measured shows as '-'); then the float reference's accuracy per task and
split, and the mean and the extremes of the deltas per configuration kind (WbAb, WbA8)."""
import glob, json, os, re, sys

out = sys.argv[1]
results, floats, images = {}, {}, {}
for path in sorted(glob.glob(os.path.join(out, "*.json"))):
    m = re.match(r"(\w+)-(validation|test)-w(\d+)a(\d+)-(on|off)\.json$", os.path.basename(path))
    if not m:
        continue
    task, split, w, a, setting = m.group(1), m.group(2), int(m.group(3)), int(m.group(4)), m.group(5)
    d = json.load(open(path))
    results[(task, split, w, a, setting)] = 100 * d["accuracy"]["fixedPoint"]
    floats[(task, split)] = 100 * d["accuracy"]["floatReference"]
    images[(task, split)] = d["data"]["evaluatedImages"]

if sys.argv[2:] == ["--tsv"]:
    print("task\tsplit\timages\tweightBits\tactivationBits\tbiasCorrection\taccuracy\tfloatAccuracy\ttop1Agreement")
    for path in sorted(glob.glob(os.path.join(out, "*.json"))):
        m = re.match(r"(\w+)-(validation|test)-w(\d+)a(\d+)-(on|off)\.json$", os.path.basename(path))
        if m:
            d = json.load(open(path)); a = d["accuracy"]
            print("\t".join([m.group(1), m.group(2), str(d["data"]["evaluatedImages"]), m.group(3), m.group(4),
                             m.group(5), "%.4f" % a["fixedPoint"], "%.4f" % a["floatReference"],
                             "%.4f" % a["top1Agreement"]]))
    sys.exit(0)

tasks = [t for t in ["fashion", "kws", "fer", "cifar10"] if any(k[0] == t for k in results)]
configurations = sorted({(k[2], k[3]) for k in results}, key=lambda c: (c[0] != c[1], -c[0], -c[1]))
deltas = {}
print("| task | configuration | validation off | validation on | validation delta | test off | test on | test delta |")
print("|---|---|---|---|---|---|---|---|")
for task in tasks:
    for w, a in configurations:
        if not any(k[0] == task and (k[2], k[3]) == (w, a) for k in results):
            continue
        cells = []
        for split in ["validation", "test"]:
            off, on = results.get((task, split, w, a, "off")), results.get((task, split, w, a, "on"))
            cells += ["-" if off is None else "%.2f" % off, "-" if on is None else "%.2f" % on,
                      "-" if off is None or on is None else "%+.2f" % (on - off)]
            if off is not None and on is not None:
                deltas.setdefault(("WbAb" if w == a else "WbA%d" % a, split), []).append(on - off)
        print("| %s | W%dA%d | %s |" % (task, w, a, " | ".join(cells)))
print()
print("Float reference (top-1 %, images): " + "; ".join(
    "%s %s %.2f (%d)" % (t, s, floats[(t, s)], images[(t, s)]) for t in tasks for s in ["validation", "test"]
    if (t, s) in floats) + ".")
print()
for (kind, split), values in sorted(deltas.items()):
    print("- %s, %s: mean delta %+.2f points over %d rows (min %+.2f, max %+.2f; %d better, %d worse)" % (
        kind, split, sum(values) / len(values), len(values), min(values), max(values),
        sum(v > 0 for v in values), sum(v < 0 for v in values)))
