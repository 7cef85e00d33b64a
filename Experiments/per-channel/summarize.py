#!/usr/bin/env python3
"""The table of Experiments/per-channel/run.sh: one row per (model, configuration), top-1 in percent.

    python3 Experiments/per-channel/summarize.py OUT NAME... > Results/per-channel/uniform.tsv
"""
import json
import os
import sys

CONFIGURATIONS = [(8, 8), (6, 6), (5, 5), (4, 4), (3, 3), (4, 8), (8, 4)]


def main():
    out, names = sys.argv[1], sys.argv[2:]
    print("model\tweight_bits\tactivation_bits\timages\tfloat_top1\tper_tensor_top1\tper_channel_top1\tdelta_points")
    for name in names:
        for w, a in CONFIGURATIONS:
            runs = {}
            for granularity in ("per-tensor", "per-channel"):
                path = os.path.join(out, f"{name}-w{w}a{a}-{granularity}.json")
                if os.path.exists(path) and os.path.getsize(path) > 0:
                    with open(path) as f:
                        runs[granularity] = json.load(f)
            if len(runs) < 2:
                continue
            tensor, channel = runs["per-tensor"], runs["per-channel"]
            # The files must be what their names say.
            assert tensor["windowSearch"] == "all" and channel["windowSearch"] == "all"
            assert "weightGranularity" not in tensor and channel.get("weightGranularity") == "per-channel"
            assert tensor["data"]["evaluatedImages"] == channel["data"]["evaluatedImages"]
            t = tensor["accuracy"]["fixedPoint"] * 100
            c = channel["accuracy"]["fixedPoint"] * 100
            print(f"{name}\t{w}\t{a}\t{tensor['data']['evaluatedImages']}\t"
                  f"{tensor['accuracy']['floatReference'] * 100:.2f}\t{t:.2f}\t{c:.2f}\t{c - t:+.2f}")


if __name__ == "__main__":
    main()
