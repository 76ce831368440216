"""How long `import baro` adds to `import numpy`, median over fresh processes.

    python benchmarks/import_time.py [--runs 15]
"""

import statistics
import subprocess
import sys
import time


def _time(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main(runs: int = 15) -> None:
    numpy_only, with_baro = [], []
    for _ in range(runs):  # alternate so machine noise hits both alike
        numpy_only.append(_time("import numpy"))
        with_baro.append(_time("import numpy, baro"))
    base = statistics.median(numpy_only)
    full = statistics.median(with_baro)
    print(f"import numpy         median {base * 1e3:7.1f} ms")
    print(f"import numpy, baro   median {full * 1e3:7.1f} ms")
    print(f"baro adds            {(full - base) * 1e3:7.1f} ms "
          f"(ratio {full / base:.2f}x of numpy alone)")


if __name__ == "__main__":
    main(int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 15)
