"""Each run's share of a best-known front that it did not help to build (Experiments/reference-fronts/preselection.sh).

    python3 Experiments/reference-fronts/score.py REFERENCE_DIR BASELINE_GLOB -- RUN.json ...

REFERENCE_DIR holds the Pareto documents whose union is the best-known front (Results/reference-fronts/long/TASK/
ENERGY: the long run and the five default runs). Each RUN is scored as summarize.py scores those: its hypervolume as a
percentage of the best-known front's, over the whole plane and over the points at most 3 accuracy points below uniform
16 bits (validation). A run may exceed 100 % where it finds points beyond the best-known front. Each run is paired with
the baseline of the same seed (BASELINE_GLOB with {seed}, e.g. 'REFERENCE_DIR/default-seed{seed}.json'): the table
gives both shares and the ratio of validation images run (effort.imagesRun), which, unlike wall time, does not depend
on the machine's load.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from summarize import REFERENCE, USABLE_LOSS, hypervolume, non_dominated, objectives, uniform16_accuracy  # noqa: E402


def main(reference_dir, baseline_pattern, runs):
    documents = [json.load(open(os.path.join(reference_dir, name)))
                 for name in sorted(os.listdir(reference_dir)) if name.endswith(".json")]
    best = non_dominated([point for document in documents for point in objectives(document)])
    usable = (REFERENCE[0], 1 - (uniform16_accuracy(documents[0]) - USABLE_LOSS))
    whole, region = hypervolume(best), hypervolume(best, usable)
    print("| run | seed | % of best-known | at <= 3 points loss | baseline % | baseline at <= 3 points | images run / baseline's |")
    print("|---|---|---|---|---|---|---|")
    for path in runs:
        run = json.load(open(path))
        seed = run["search"]["seed"]
        baseline = json.load(open(baseline_pattern.format(seed=seed)))
        shares = []
        for document in (run, baseline):
            front = non_dominated(objectives(document))
            shares += [100 * hypervolume(front) / whole, 100 * hypervolume(front, usable) / region]
        ratio = run["effort"]["imagesRun"] / baseline["effort"]["imagesRun"]
        print(f"| {os.path.basename(path)} | {seed} | {shares[0]:.3f} | {shares[1]:.2f} | {shares[2]:.3f} | "
              f"{shares[3]:.2f} | {ratio:.2f} |")


if __name__ == "__main__":
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[4:])
