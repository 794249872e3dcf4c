"""`make bench`: run every benchmark and print its table."""

from bench import erasure, handlers, page_weight, policy_build, timing

for benchmark in (page_weight, policy_build, handlers, timing, erasure):
    benchmark.main()
