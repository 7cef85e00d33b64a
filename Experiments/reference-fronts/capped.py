"""How much of a best-known front is selection on validation noise (issue #20, the 99 % target).

    python3 Experiments/reference-fronts/capped.py OUT [-- RUN.json ...]

OUT holds TASK/ENERGY/*.json Pareto documents (Results/reference-fronts/long: a long run and the default runs). The
best-known front is their non-dominated union on validation (summarize.py). A configuration of fewer bits than uniform
16-bit fixed point whose validation accuracy is *above* the 16-bit one has either gained from quantization or been
chosen for the validation split's noise; its test accuracy tells which. For each (task, energy model) the table gives
the front points above the 16-bit validation accuracy, their mean gain over it on validation and on test, how many of
them are above the 16-bit test accuracy, the share of the best-known hypervolume that lies above the 16-bit validation
accuracy, and each run's share of a capped reference: every point's error counted as at least the 16-bit one (so no
run is credited or charged for accuracy above the full-precision network's).

Each RUN after `--` (a run that did not join the best-known front, e.g. Results/reference-fronts/preselection) gets a
row of a second table: its share of the best-known and of the capped best-known hypervolume of OUT/TASK/ENERGY, the
folder named by its document's model and energy model.
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from summarize import folders, hypervolume, non_dominated, objectives, uniform16_accuracy  # noqa: E402


def capped(points, floor):
    """The (energy, error) points with every error raised to at least `floor` (the uniform 16-bit error)."""
    return [(x, max(y, floor)) for x, y in points]


def references(directory):
    """The documents of a best-known front's folder, its front, hypervolume, capped hypervolume and error floor."""
    if not os.path.isdir(directory):
        return None
    names = sorted(f for f in os.listdir(directory) if f.endswith(".json"))
    documents = {name: json.load(open(os.path.join(directory, name))) for name in names}
    if not documents:
        return None
    floor = 1 - uniform16_accuracy(documents[names[0]])
    best = non_dominated([p for doc in documents.values() for p in objectives(doc)])
    return documents, best, hypervolume(best), hypervolume(capped(best, floor)), floor


def shares(document, reference):
    """A run's share of the best-known and of the capped best-known hypervolume, in %."""
    _, _, whole, whole_capped, floor = reference
    front = objectives(document)
    return 100 * hypervolume(front) / whole, 100 * hypervolume(capped(front, floor)) / whole_capped


def main(out, runs):
    print("| task | energy model | validation images | front points above 16-bit | their gain on validation (points) "
          "| their gain on test (points) | above 16-bit on test | share of the best-known hypervolume above 16-bit "
          "| runs' share of the best-known / capped best-known hypervolume (%) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for task, energy, folder in folders(out):
        reference = references(folder)
        if reference is None:
            continue
        documents, best, whole, whole_capped, floor = reference
        first = next(iter(documents.values()))
        accuracy16 = {split: uniform16_accuracy(first, split) for split in ("validation", "test")}
        points = [p for doc in documents.values() for p in doc["points"]]
        best = set(best)
        chosen = {}
        for p in points:  # one document point per front point (the same configuration may appear in several runs)
            key = (p["relativeEnergy"], 1 - p["validation"]["accuracy"])
            if key in best and key[1] < floor:
                chosen.setdefault(key, p)
        above = [chosen[key] for key in sorted(chosen)]
        gains = {split: [100 * (p[split]["accuracy"] - accuracy16[split]) for p in above]
                 for split in ("validation", "test")}
        run_shares = []
        for name, doc in documents.items():
            label = name.removesuffix(".json").replace("default-seed", "seed ")
            run_shares.append("{}: {:.2f} / {:.2f}".format(label, *shares(doc, reference)))
        mean = (lambda values: f"{statistics.mean(values):+.2f}" if values else "-")
        print(f"| {task} | {energy} | {first['points'][0]['validation']['images']} | {len(above)} | "
              f"{mean(gains['validation'])} | {mean(gains['test'])} | "
              f"{sum(g > 0 for g in gains['test'])} of {len(above)} | {100 * (1 - whole_capped / whole):.2f} % | "
              f"{'; '.join(run_shares)} |")
    if runs:
        print()
        print("| run | task | energy model | seed | % of best-known | % of capped best-known |")
        print("|---|---|---|---|---|---|")
    for path in runs:
        document = json.load(open(path))
        task, energy = document["model"]["name"], document["energyModel"]["name"]
        reference = references(os.path.join(out, task, energy))
        if reference is None:
            sys.exit(f"{path}: no best-known front for {task} under {energy} in {out}")
        split = next(iter(reference[0].values()))["data"]["validation"]["sha256"]
        if document["data"]["validation"]["sha256"] != split:
            sys.exit(f"{path}: measured on another validation split than {out}/{task}/{energy}")
        print("| {} | {} | {} | {} | {:.2f} | {:.2f} |".format(path, task, energy, document["search"]["seed"],
                                                             *shares(document, reference)))


if __name__ == "__main__":
    if len(sys.argv) < 2 or (len(sys.argv) > 2 and sys.argv[2] != "--"):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[3:])
