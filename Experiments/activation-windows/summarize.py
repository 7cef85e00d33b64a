#!/usr/bin/env python3
"""Markdown tables from uniform.tsv (Experiments/activation-windows/run.sh): per task and split, top-1 accuracy (%)
at W16Ab and WbAb with no activation windows, the histogram criterion (`all`) and the output criterion
(`all-output`), and the change output - histogram in points."""
import csv, sys
from collections import OrderedDict

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
acc = {}
floats = {}
for r in rows:
    key = (r["task"], r["split"], int(r["weightBits"]), int(r["activationBits"]), r["model"], r["windowSearch"])
    acc[key] = float(r["accuracy"]) * 100
    floats[(r["task"], r["split"])] = (float(r["floatAccuracy"]) * 100, r["images"])
groups = OrderedDict()
for r in rows:
    groups.setdefault((r["task"], r["split"]), None)
out = []
for (task, split) in groups:
    f, n = floats[(task, split)]
    out.append(f"\n**{task}, {split}** ({n} images; float {f:.2f} %)\n")
    kws = task == "kws"
    head = "| b | W16Ab none | W16Ab histogram | " + ("W16Ab histogram (recal.) | " if kws else "") + \
        "W16Ab output | delta | WbAb histogram | " + ("WbAb histogram (recal.) | " if kws else "") + "WbAb output | delta |"
    out.append(head)
    out.append("|" + "---|" * (head.count("|") - 1))
    for b in sorted({k[3] for k in acc if k[0] == task and k[1] == split}, reverse=True):
        def g(w, model, mode):
            return acc.get((task, split, w, b, model, mode), float("nan"))
        hist_model = "recalibrated" if kws else "shipped"
        cells = [str(b), "%.2f" % g(16, "shipped", "none"), "%.2f" % g(16, "shipped", "all")]
        if kws: cells.append("%.2f" % g(16, "recalibrated", "all"))
        cells += ["%.2f" % g(16, "recalibrated", "all-output"),
                  "%+.2f" % (g(16, "recalibrated", "all-output") - g(16, hist_model, "all")),
                  "%.2f" % g(b, "shipped", "all")]
        if kws: cells.append("%.2f" % g(b, "recalibrated", "all"))
        cells += ["%.2f" % g(b, "recalibrated", "all-output"),
                  "%+.2f" % (g(b, "recalibrated", "all-output") - g(b, hist_model, "all"))]
        out.append("| " + " | ".join(cells) + " |")
print("\n".join(out))
