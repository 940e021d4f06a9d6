"""The notebooks: one per step, each runs top to bottom, committed with cleared outputs, linked to its lesson."""

from __future__ import annotations

import sys

import nbformat
import pytest

from checker import ROOT
from checker.course import LANGS, load_course

if str(ROOT) not in sys.path:  # tools/ is not an installed package
    sys.path.insert(0, str(ROOT))
from tools.run_notebooks import NOTEBOOKS, run_notebook, stderr_text  # noqa: E402

COURSE = load_course()
STEPS = sorted(COURSE.steps)


def needs(number: int) -> list:
    """Redis where the step needs it; Chromium where the notebook runs the step's own suite."""
    marks = [pytest.mark.redis] if COURSE.steps[number].needs_redis else []
    if "ChannelsLiveServerTestCase" in notebook_path(number).read_text(encoding="utf-8"):
        marks.append(pytest.mark.browser)
    return marks


def notebook_path(number: int):
    return NOTEBOOKS / f"{COURSE.steps[number].name}.ipynb"


def read(number: int):
    return nbformat.read(notebook_path(number), as_version=4)


@pytest.mark.parametrize("number", STEPS)
def test_every_step_has_its_notebook(number):
    assert notebook_path(number).is_file(), f"no notebook for step {COURSE.steps[number].name}"


def test_no_notebook_without_a_step():
    names = {COURSE.steps[n].name for n in STEPS}
    strays = [p.name for p in NOTEBOOKS.glob("*.ipynb") if p.stem not in names]
    assert not strays, f"notebooks that match no step in course.toml: {strays}"


@pytest.mark.parametrize("number", STEPS)
def test_committed_with_outputs_cleared(number):
    nb = read(number)
    nbformat.validate(nb)
    dirty = [
        i for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, (
        f"{notebook_path(number).name}: cells {dirty} keep outputs or execution counts; "
        "clear them before committing (JupyterLab: Edit > Clear Outputs of All Cells)"
    )
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("number", STEPS)
def test_opens_with_its_lesson_links(number):
    step = COURSE.steps[number]
    first = read(number).cells[0]
    assert first.cell_type == "markdown", "the first cell should say which step it drives"
    for lang in LANGS:
        link = f"../lessons/{lang}/{step.lesson}"
        assert f"]({link})" in first.source, f"the first cell does not link to {link}"
    assert f"steps/{step.name}/" in first.source


@pytest.mark.parametrize("number", STEPS)
def test_loads_its_own_step(number):
    step = COURSE.steps[number]
    loader = next(cell for cell in read(number).cells if cell.cell_type == "code").source
    assert f'STEP = "{step.name}"' in loader
    assert "django.setup()" in loader
    assert ("REDIS_URL" in loader) == step.needs_redis, "Redis is checked exactly where the step needs it"


def test_runner_names_the_failing_cell(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import sys\nprint(sys.executable)"),
        nbformat.v4.new_markdown_cell("text"),
        nbformat.v4.new_code_cell("# the broken one\n1 / 0"),
        nbformat.v4.new_code_cell("print('never runs')"),
    ]
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    run = run_notebook(path, timeout=30)
    assert run.failure == "cell 2 (`# the broken one`): ZeroDivisionError: division by zero"
    # The kernel runs this very interpreter, so notebooks see the same packages as the tests.
    assert run.notebook.cells[0].outputs[0]["text"].strip() == sys.executable


@pytest.mark.parametrize(
    "number",
    [pytest.param(n, marks=needs(n)) for n in STEPS],
)
def test_notebook_runs_top_to_bottom(number):
    run = run_notebook(notebook_path(number))
    assert run.ok, f"{notebook_path(number).name}, {run.failure}\n{run.traceback[-3000:]}"
    stderr = stderr_text(run.notebook)
    assert "was never awaited" not in stderr, stderr
    assert "Task was destroyed but it is pending" not in stderr, stderr
