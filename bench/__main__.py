"""`make bench`: run every benchmark and print its table."""

from bench import page_weight, policy_build

for benchmark in (page_weight, policy_build):
    benchmark.main()
