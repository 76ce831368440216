"""baro's benchmark suite: each workload against PyTorch, JAX and Keras 3 where
installed, and a hand-written NumPy loop for the tiny models.

    python -m benchmarks [--quick] [--only xor,mlp128] [--repeats N] [--write FILE]

See `benchmarks/run.py` for the options and BENCHMARKS.md for the method and the
latest table. The older single-purpose scripts beside it (`mlp_epoch.py`,
`cnn_epoch.py`, ...) still run on their own with `python benchmarks/<file>.py`.
"""
