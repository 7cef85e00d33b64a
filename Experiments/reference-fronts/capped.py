"""How much of a best-known front is selection on validation noise (issue #20, the 99 % target).

    python3 Experiments/reference-fronts/capped.py OUT

OUT holds TASK/ENERGY/*.json Pareto documents (Results/reference-fronts/long: a long run and the default runs). The
best-known front is their non-dominated union on validation (summarize.py). A configuration of fewer bits than uniform
16-bit fixed point whose validation accuracy is *above* the 16-bit one has either gained from quantization or been
chosen for the validation split's noise; its test accuracy tells which. For each (task, energy model) the table gives
the front points above the 16-bit validation accuracy, their mean gain over it on validation and on test, how many of
them are above the 16-bit test accuracy, the share of the best-known hypervolume that lies above the 16-bit validation
accuracy, and each run's share of a capped reference: every point's error counted as at least the 16-bit one (so no
run is credited or charged for accuracy above the full-precision network's).
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from summarize import hypervolume, non_dominated, objectives, uniform16_accuracy  # noqa: E402


def capped(points, floor):
    return [(x, max(y, floor)) for x, y in points]


def main(out):
    print("| task | energy model | validation images | front points above 16-bit | their gain on validation (points) "
          "| their gain on test (points) | above 16-bit on test | share of the best-known hypervolume above 16-bit "
          "| runs' share of the best-known / capped best-known hypervolume (%) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for task in sorted(os.listdir(out)):
        task_dir = os.path.join(out, task)
        if not os.path.isdir(task_dir):
            continue
        for energy in sorted(os.listdir(task_dir)):
            d = os.path.join(task_dir, energy)
            names = sorted(f for f in os.listdir(d) if f.endswith(".json"))
            if not names:
                continue
            documents = {name: json.load(open(os.path.join(d, name))) for name in names}
            first = documents[names[0]]
            accuracy16 = {split: uniform16_accuracy(first, split) for split in ("validation", "test")}
            floor = 1 - accuracy16["validation"]
            points = [p for doc in documents.values() for p in doc["points"]]
            best = set(non_dominated([(p["relativeEnergy"], 1 - p["validation"]["accuracy"]) for p in points]))
            chosen = {}
            for p in points:  # one document point per front point (the same configuration may appear in several runs)
                key = (p["relativeEnergy"], 1 - p["validation"]["accuracy"])
                if key in best and key[1] < floor:
                    chosen.setdefault(key, p)
            above = [chosen[key] for key in sorted(chosen)]
            gains = {split: [100 * (p[split]["accuracy"] - accuracy16[split]) for p in above]
                     for split in ("validation", "test")}
            whole = hypervolume(sorted(best))
            whole_capped = hypervolume(capped(sorted(best), floor))
            shares = []
            for name, doc in documents.items():
                front = objectives(doc)
                label = name.removesuffix(".json").replace("default-seed", "seed ")
                shares.append(f"{label}: {100 * hypervolume(front) / whole:.2f} / "
                              f"{100 * hypervolume(capped(front, floor)) / whole_capped:.2f}")
            mean = (lambda values: f"{statistics.mean(values):+.2f}" if values else "-")
            print(f"| {task} | {energy} | {first['points'][0]['validation']['images']} | {len(above)} | "
                  f"{mean(gains['validation'])} | {mean(gains['test'])} | "
                  f"{sum(g > 0 for g in gains['test'])} of {len(above)} | {100 * (1 - whole_capped / whole):.2f} % | "
                  f"{'; '.join(shares)} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
