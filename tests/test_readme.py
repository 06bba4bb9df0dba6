"""The README's code runs as written, and prints what it says it prints."""

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_quickstart_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 3
    namespace, out = {}, io.StringIO()
    with contextlib.redirect_stdout(out):
        for block in blocks:
            exec(compile(block, str(README), "exec"), namespace)
    lines = out.getvalue().splitlines()
    assert lines[0] == "[0 1 2 3 4]"
    sgd_ratio = float(lines[2].rsplit(" ", 1)[1])
    gd_ratio = float(lines[3].rsplit(" ", 1)[1])
    assert sgd_ratio > 2 * gd_ratio and sgd_ratio > 1.5
    assert float(lines[4]) > 0.8
    assert namespace["search"].best_params_["batch_size"] in (4, 16)
    assert "(4,)" in lines
    assert lines[-1] == "120 60000"  # the streaming example
    assert namespace["cv_search"].best_score_ > 0.5
