"""`make notebooks`: execute every notebook in a fresh kernel and report each one's time.

    python -m tools.run_notebooks                 # all of notebooks/*.ipynb, in order
    python -m tools.run_notebooks 05 06-async     # some of them (a prefix of the file name)
    python -m tools.run_notebooks --out /tmp/nb   # also keep the executed copies there

Exit status 0 when every notebook ran to the end; 1 when one raised, naming the notebook
and its failing cell (index from 0, markdown cells counted; the first line of its source;
the error); 2 on bad usage.
The notebooks in the repository stay as they are (committed with their outputs cleared).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import zmq
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 120  # seconds for one cell; the whole set runs in well under a minute
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class NotebookRun:
    path: Path
    seconds: float
    notebook: nbformat.NotebookNode  # the executed copy, with outputs
    failure: str | None = None  # "cell 3 (`await x`): ValueError: ..." when a cell raised
    traceback: str = ""

    @property
    def ok(self) -> bool:
        return self.failure is None


def first_line(source: str) -> str:
    lines = [line for line in source.splitlines() if line.strip()]
    return lines[0].strip() if lines else "(empty cell)"


def run_notebook(path: Path, timeout: float = CELL_TIMEOUT) -> NotebookRun:
    """Execute one notebook top to bottom in a fresh kernel, as Jupyter would from its folder.

    Never raises for an error inside the notebook: the returned run names the failing cell.
    The kernel is "python3", which jupyter_client starts with this very interpreter
    (sys.executable), so the notebook sees the same packages as the caller.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},  # the kernel's working folder
        # Encrypt the kernel's loopback sockets when pyzmq can (ipykernel warns otherwise).
        config=Config(KernelManager={"transport_encryption": "auto" if zmq.has("curve") else "disabled"}),
    )
    current: dict = {}

    def on_cell_start(cell, cell_index):
        current.update(cell=cell, index=cell_index)

    client.on_cell_start = on_cell_start
    failure, tb = None, ""
    started = time.perf_counter()
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        if isinstance(exc, CellExecutionError):
            lines = str(exc.evalue).strip().splitlines() or [""]
            error = f"{exc.ename}: {lines[0][:300]}" + (" ..." if len(lines) > 1 else "")
            tb = ANSI.sub("", str(exc))
        elif isinstance(exc, CellTimeoutError):
            error = f"did not finish within {timeout:g} s"
        else:
            error = f"the kernel died ({exc})"
        cell = current.get("cell")
        where = f"cell {current.get('index')} (`{first_line(cell.source)}`)" if cell else "startup"
        failure = f"{where}: {error}"
    seconds = time.perf_counter() - started
    return NotebookRun(path, seconds, nb, failure, tb)


def stderr_text(nb: nbformat.NotebookNode) -> str:
    """Everything the executed notebook wrote to stderr (warnings land there)."""
    return "".join(
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    )


def find_notebooks(names: list[str] | None = None) -> list[Path]:
    every = sorted(NOTEBOOKS.glob("*.ipynb"))
    if not names:
        return every
    chosen = []
    for name in names:
        stem = Path(name).name.removesuffix(".ipynb")
        found = [p for p in every if p.stem == stem or p.stem.startswith(stem)]
        if not found:
            raise SystemExit(f"No notebook matches {name!r}; there are: "
                             + ", ".join(p.stem for p in every))
        chosen += [p for p in found if p not in chosen]
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.run_notebooks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="notebooks to run (default: all)")
    parser.add_argument("--out", type=Path, help="write the executed notebooks into this folder")
    parser.add_argument("--timeout", type=float, default=CELL_TIMEOUT, help="seconds per cell")
    args = parser.parse_args(argv)
    try:
        paths = find_notebooks(args.names)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    if not paths:
        print(f"No notebooks in {NOTEBOOKS}", file=sys.stderr)
        return 2
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)

    total, failed = 0.0, []
    for path in paths:
        print(f"{path.name:<22} ", end="", flush=True)
        run = run_notebook(path, timeout=args.timeout)
        total += run.seconds
        if args.out:
            nbformat.write(run.notebook, args.out / path.name)
        if run.ok:
            print(f"{run.seconds:6.1f} s  ok")
            if "was never awaited" in stderr_text(run.notebook):
                print("    warning: a coroutine was never awaited (see the notebook's stderr)")
        else:
            failed.append(run)
            print(f"{run.seconds:6.1f} s  FAILED")
            print(f"    {path.relative_to(ROOT)}, {run.failure}")
            if run.traceback:
                tail = run.traceback.strip().splitlines()[-12:]
                print("    " + "\n    ".join(tail))
    print(f"{'total':<22} {total:6.1f} s  ({len(paths)} notebooks, {len(failed)} failed)")
    for run in failed:
        print(f"FAILED {run.path.relative_to(ROOT)}, {run.failure}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
