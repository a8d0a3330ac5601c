"""The pieces of benchmarks/classroom_load.py: students, results, the two kinds of client."""
