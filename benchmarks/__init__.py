"""PhotoVault benchmarks (`make bench`): each case measures the project against a baseline in the same run.

Run ``python -m benchmarks.run [--quick] [--only CASE]``; results go to ``benchmarks/results/``.
"""
