"""The README's and the getting-started page's code, run as written, prints
what the pages say, line for line (and so do the user guide's command-line
sessions).

Python snippets print only what holds on any CPU (selections, comparisons,
figures rounded far from a rounding boundary), and are checked exactly. The
command-line sessions show the importance tables of a run on one machine: their
words and integers are checked exactly, their decimals (importances, the cut)
within 25% and their bars within a quarter of their length, since another
processor's rounding moves a training run's late digits (the noise columns'
by some percent); the fit time is the machine's own.
"""

import contextlib
import io
import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GETTING_STARTED = ROOT / "docs" / "getting_started.rst"
USER_GUIDE = ROOT / "docs" / "user_guide.rst"

pytestmark = pytest.mark.trajectory


# ------------------------------------------------------------------ parsing
def markdown_blocks(text):
    """The fenced blocks of a Markdown page: (language, body) in order."""
    return re.findall(r"```(\w+)\n(.*?)```", text, flags=re.S)


def rst_blocks(text):
    """The ``code-block`` directives of a reST page: (language, body)."""
    blocks = []
    pattern = r"\.\. code-block:: (\w+)\n\n((?:(?:   .*)?\n)+)"
    for language, body in re.findall(pattern, text):
        lines = [line[3:] for line in body.splitlines()]
        blocks.append((language, "\n".join(lines).strip("\n") + "\n"))
    return blocks


def snippets(blocks):
    """Each Python block with the output block that follows it ("" when none
    does: the snippet must print nothing)."""
    pairs = []
    for i, (language, body) in enumerate(blocks):
        if language != "python":
            continue
        after = blocks[i + 1] if i + 1 < len(blocks) else ("", "")
        printed = (
            after[1] if after[0] == "text" and not after[1].startswith("$") else ""
        )
        pairs.append((body, printed))
    return pairs


def run_snippets(pairs, source):
    """Run the snippets in order in one namespace; each one's output must be
    the page's, exactly."""
    namespace = {}
    for code, expected in pairs:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(source), "exec"), namespace)
        assert out.getvalue() == expected, f"{code}\nprinted:\n{out.getvalue()}"
    return namespace


# ------------------------------------------------------------- the sessions
_NUMBER = re.compile(r"\d+\.\d+")
_BAR = re.compile(r"#+")


def _shape(line):
    """A session line without its decimals, bars and spacing, and the fit
    time masked: what must match exactly."""
    line = re.sub(r" in \d+\.\d s\b", " in <time> s", line)
    line = _BAR.sub("<bar>", _NUMBER.sub("<number>", line))
    return " ".join(line.split())


def assert_line_matches(expected, actual):
    assert _shape(actual) == _shape(expected), (expected, actual)
    timed = re.compile(r" in \d+\.\d s\b")
    want = [float(v) for v in _NUMBER.findall(timed.sub("", expected))]
    got = [float(v) for v in _NUMBER.findall(timed.sub("", actual))]
    for w, g in zip(want, got, strict=True):
        assert abs(g - w) <= 0.25 * abs(w), (expected, actual)
    for w, g in zip(_BAR.findall(expected), _BAR.findall(actual), strict=True):
        assert abs(len(g) - len(w)) <= max(1, len(w) // 4), (expected, actual)


def assert_session_output(expected, actual):
    """``expected`` lines against ``actual``; a line "..." stands for one or
    more lines that the page leaves out."""
    i = 0
    for k, line in enumerate(expected):
        if line.strip() == "...":
            if k + 1 == len(expected):
                return
            i += 1
            while i < len(actual) and _shape(actual[i]) != _shape(expected[k + 1]):
                i += 1
            continue
        assert i < len(actual), f"missing line: {line}"
        assert_line_matches(line, actual[i])
        i += 1
    assert i == len(actual), f"unexpected lines: {actual[i:]}"


def run_session(block, folder, monkeypatch):
    """Run each ``$ command`` of a session and check what follows it."""
    from sgdselect.cli import main

    monkeypatch.chdir(folder)
    commands = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            commands[-1][1].append(line)
    status = None
    for command, expected in commands:
        argv = shlex.split(command)
        if argv[0] == "sgdselect":
            out = io.StringIO()
            # One stream, as a terminal shows stdout and stderr.
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                status = main(argv[1:])
            actual = out.getvalue().splitlines()
        elif argv[:2] == ["echo", "$?"]:
            actual = [str(status)]
        elif argv[:2] == ["head", "-1"]:
            actual = (folder / argv[2]).read_text().splitlines()[:1]
        else:
            raise AssertionError(f"a command the test does not know: {command}")
        assert_session_output(expected, actual)


def make_tables(blocks, folder):
    """Run the page's commands that write the tables its sessions read
    (``python -c "...to_csv(...)"``), as written."""
    makes = [body for lang, body in blocks if lang == "bash" and "to_csv(" in body]
    for make in makes:
        subprocess.run(shlex.split(make.strip()), cwd=folder, check=True)
    return len(makes)


# -------------------------------------------------------------------- tests
def test_readme_snippets_print_what_the_readme_says():
    blocks = markdown_blocks(README.read_text())
    pairs = snippets(blocks)
    assert len(pairs) >= 4
    namespace = run_snippets(pairs, README)
    assert namespace["streamed"].n_iter_ == 120


def test_readme_command_line_sessions(tmp_path, monkeypatch):
    blocks = markdown_blocks(README.read_text())
    make_tables(blocks, tmp_path)
    sessions = [body for lang, body in blocks if lang == "text" and body[:2] == "$ "]
    assert len(sessions) >= 3
    # The demo first, with the compiled loop already loaded: a first run's
    # note on stderr is not part of the page's output.
    from sgdselect import SGDSupportSelector

    SGDSupportSelector(max_iter=1, threshold=0.0).fit(*_tiny())
    for session in sessions:
        run_session(session, tmp_path, monkeypatch)


def test_user_guide_command_line_sessions(tmp_path, monkeypatch):
    make_tables(markdown_blocks(README.read_text()), tmp_path)
    blocks = rst_blocks(USER_GUIDE.read_text())
    make_tables(blocks, tmp_path)
    sessions = [body for lang, body in blocks if lang == "text" and body[:2] == "$ "]
    assert len(sessions) >= 2
    from sgdselect import SGDSupportSelector

    SGDSupportSelector(max_iter=1, threshold=0.0).fit(*_tiny())
    for session in sessions:
        run_session(session, tmp_path, monkeypatch)


def test_getting_started_snippets_print_what_the_page_says(monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib.pyplot as plt

    blocks = rst_blocks(GETTING_STARTED.read_text())
    pairs = snippets(blocks)
    assert len(pairs) >= 4
    try:
        run_snippets(pairs, GETTING_STARTED)
    finally:
        plt.close("all")


def _tiny():
    import numpy as np

    X = np.random.RandomState(0).normal(size=(20, 2))
    return X, X[:, 0]


def test_session_lines_are_compared_by_shape_and_tolerance():
    # The comparison itself: words and integers exact, decimals within 25%,
    # bars within a quarter, the time free.
    line = " x0     2.249  #######################################   selected"
    assert_line_matches(
        line, " x0     2.401  ####################################  selected"
    )
    for other in [
        " x0     3.249  #######################################   selected",
        " x0     2.249  ##########################                selected",
        " x0     2.249  #######################################",
        " x1     2.249  #######################################   selected",
    ]:
        with pytest.raises(AssertionError):
            assert_line_matches(line, other)
    assert_line_matches(
        "Selected 5 in 0.4 s (300 epochs)", "Selected 5 in 12.9 s (300 epochs)"
    )
    with pytest.raises(AssertionError):
        assert_line_matches("Selected 5 (300 epochs)", "Selected 4 (300 epochs)")
    assert_session_output(["a 1", "...", "z 2"], ["a 1", "b", "c", "z 2"])
    with pytest.raises(AssertionError):
        assert_session_output(["a 1", "z 2"], ["a 1", "b", "z 2"])
