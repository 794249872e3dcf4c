"""`make bench`: run every benchmark and print its table."""

from bench import handlers, page_weight, policy_build

for benchmark in (page_weight, policy_build, handlers):
    benchmark.main()
