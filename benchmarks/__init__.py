"""tasktop's benchmarks: start-up, CPU and memory while watching, page-flip latency, request and
repaint economy, each against a bare Textual baseline measured in the same run.

Run `python -m benchmarks` (≈ 4 min), `--quick` (≈ 1.5 min) or `--long` (adds 60 s CPU runs and
the 10-minute memory run). Details: benchmarks/README.md.
"""
