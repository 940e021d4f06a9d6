"""Every broken project of the corpus fails with its declared check and a hint that names
the cause, without a traceback from the checker; and the corpus covers the usual mistakes."""

from __future__ import annotations

import json

import pytest
from conftest import checker_env, run_checker
from mistakes_corpus import build, environment, load_corpus

from checker.course import load_course

CORPUS = load_corpus()
COURSE = load_course()


def test_corpus_is_large_enough_and_names_known_checks():
    assert len(CORPUS) >= 25
    for mistake in CORPUS:
        assert mistake.check in COURSE.steps[mistake.step].checks, mistake.name


@pytest.mark.parametrize("mistake", CORPUS, ids=lambda m: m.name)
def test_mistake_is_diagnosed(redis_url, tmp_path, mistake):
    project = build(mistake, tmp_path)
    args = ["check", str(mistake.step), "--project", str(project), "--only", mistake.check,
            "--format", "json", "--lang", "en", *mistake.args]
    done = run_checker(*args, env=environment(mistake, checker_env()), timeout=300)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    result = next(c for c in report["checks"] if c["id"] == mistake.check)
    assert result["status"] in ((mistake.status,) if mistake.status else ("fail", "error")), result
    said = result["message"] + "\n" + result["hint"]
    missing = [w for w in mistake.hint if w.casefold() not in said.casefold()]
    assert not missing, f"missing {missing} in:\n{said}"
    assert result["lesson"].startswith("lessons/en/")
