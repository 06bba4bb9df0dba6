"""The command line: the no-argument main job."""

import subprocess
import sys

from sgdselect.cli import main


def test_main_job_finds_the_support(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "Selected 5 features: [0, 1, 2, 3, 4] (5 of 5 relevant, 0 noise)" in out
    assert out.count("(relevant)") == 5
    assert "#" in out


def test_runs_as_a_module():
    done = subprocess.run(
        [sys.executable, "-m", "sgdselect.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "built-in problem" in done.stdout
