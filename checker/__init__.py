"""The workbook's checker: verifies a stage of the reference steps or a student's own project."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
