"""The examples run and show what they claim."""

import runpy
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_sgd_vs_gd_example(capsys):
    runpy.run_path(str(EXAMPLES / "sgd_vs_gd.py"), run_name="__main__")
    out = capsys.readouterr().out
    sgd, gd = out.split("GD:")
    assert "selected [0, 1, 2, 3, 4]" in sgd
    sgd_ratio = float(sgd.split("strongest noise = ")[1].split(",")[0])
    gd_ratio = float(gd.split("strongest noise = ")[1].split(",")[0])
    assert sgd_ratio > 1 > gd_ratio
