// precsearch-bench: release-built benchmarks (see README).
