"""The CI-sized smoke run of the benchmarks (`make bench-smoke`): generates a
150-pupil school in the test database and runs every task benchmark and every
benchmarked page once, so that the benchmarks keep working. It measures
nothing worth recording: the measured runs are in docs/performance.md."""

import sys

import pytest

if __name__ == "__main__":
    sys.exit(pytest.main(["tests/bench", "-q", "-p", "no:cacheprovider"]))
