"""Every Python example in README.md runs as written and prints what it should.

Shapes must be printed exactly; scores and errors within bounds that the
examples meet with a margin (the values they print today are in the
comments) and that a model which learned nothing would miss.
"""

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLES = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)

NUMBER = r"(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)"

# What each example prints, one regular expression per line with the
# numbers it captures and their bounds, keyed by a line of the example's
# code that identifies it.
PRINTED = {
    # The grid search over cells on digits: the best cell and its test
    # accuracy (0.96; 10 classes, chance is 0.1).
    "from sklearn.datasets import load_digits": [
        (rf"\{{'cell': '(?:rnn|lstm|gru)'\}} {NUMBER}", [(0.9, 1.0)]),
    ],
    # The GRU in a pipeline on lag windows of a sine: R² on the training
    # windows (0.9997).
    "from sklearn.pipeline import make_pipeline": [
        (NUMBER, [(0.99, 1.0)]),
    ],
    # A raw-scale seasonal series (values 200-500, std 106) forecast 24
    # steps ahead: the RMSE on the data's scale (about 5; an unscaled
    # network predicts a flat line, RMSE above 100).
    "series = 350 + 150 * np.sin(2 * np.pi * months / 12)": [
        (NUMBER, [(0.0, 30.0)]),
    ],
    # The echo state network's 50-step closed-loop forecast of Mackey-Glass:
    # its shape, and the largest error (0.005; the series spans about 0.9).
    "from skrnn.datasets import lag_windows, mackey_glass": [
        (rf"\(1, 50\) {NUMBER}", [(0.0, 0.05)]),
    ],
    # Per-step outputs: the shape of the predictions, and the largest error
    # of a 100-step forecast of a sine of amplitude 1 (0.15; a wrong phase
    # gives up to 2).
    "rnn.forecast(series[None, 950:1000, None], n_steps=100)": [
        (r"\(188, 50\)", []),
        (NUMBER, [(0.0, 0.3)]),
    ],
}


def expected_output(example):
    keys = [key for key in PRINTED if key in example]
    assert len(keys) == 1, (
        "every README example needs its expected output in PRINTED "
        f"(found {keys}):\n{example}"
    )
    return PRINTED[keys[0]]


def test_readme_has_examples():
    assert len(EXAMPLES) >= 2


def test_every_example_has_an_expected_output():
    for example in EXAMPLES:
        expected_output(example)
    assert len(PRINTED) == len(EXAMPLES)


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_readme_example_runs_and_prints_what_it_should(index):
    example = EXAMPLES[index]
    expected = expected_output(example)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example, f"README.md example {index}", "exec"), {})
    lines = printed.getvalue().splitlines()
    assert len(lines) == len(expected), printed.getvalue()
    for line, (pattern, bounds) in zip(lines, expected):
        match = re.fullmatch(pattern, line)
        assert match, f"{line!r} does not match {pattern!r}"
        for value, (low, high) in zip(match.groups(), bounds):
            assert low <= float(value) <= high, (
                f"{line!r}: {value} not in [{low}, {high}]"
            )
