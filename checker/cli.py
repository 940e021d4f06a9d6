"""`python -m checker`: list the steps, check a step, watch, grade, show what a step changes."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from checker.course import load_course
from checker.environment import InterpreterNotFound, find
from checker.i18n import default_lang, t
from checker.options import Options
from checker.project import ProjectNotFound, locate
from checker.report import as_json, as_text
from checker.runner import run_step

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# Formats for programs, of one submission: messages in English unless --lang says otherwise.
MACHINE_FORMATS = ("gradescope", "classroom", "junit")


def shared_options() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The options several commands share, declared once (argparse parents)."""
    language = argparse.ArgumentParser(add_help=False)
    language.add_argument("--lang", choices=["ru", "en"], default=None,
                          help="language of the messages (default: from the locale, Russian first)")
    running = argparse.ArgumentParser(add_help=False)
    running.add_argument("--layer", choices=["redis", "memory"], default="redis",
                         help="the project's own channel layer, or Channels' in-memory one")
    running.add_argument("--thorough", action="store_true", help="also the long checks (6 s idle)")
    running.add_argument("-v", "--verbose", action="store_true", help="show the WebSocket frames")
    running.add_argument("--sandbox", action="store_true",
                         help="run the project in a bubblewrap sandbox and decide what can be from outside it, as grade does")
    running.add_argument("--python", metavar="PATH",
                         help="the interpreter (or venv folder) that runs your project (default: an active "
                         "virtualenv, else a venv beside or above manage.py, else the workbook's own)")
    return language, running


def build_parser() -> argparse.ArgumentParser:
    language, running = shared_options()
    parser = argparse.ArgumentParser(
        prog="python -m checker",
        description="Checks a step of the Channels workbook, in the reference or in your project.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    listing = commands.add_parser("list", parents=[language], help="the steps and their checks")
    listing.add_argument("--format", choices=["text", "json"], default="text")

    check = commands.add_parser("check", parents=[language, running], help="run the checks of a step")
    check.add_argument("step", help="a step number, or 'all' for every reference step")
    check.add_argument("--project", type=Path, help="your project's folder (default: the reference step)")
    check.add_argument("--format", choices=["text", "json", *MACHINE_FORMATS], default="text",
                       help="gradescope: results.json; classroom: GitHub Classroom's grader result (base64); "
                       "junit: JUnit XML")
    check.add_argument("--out", type=Path, metavar="FILE",
                       help="write the --format output to FILE (atomically) and the text report to stdout")
    check.add_argument("--only", action="append", default=[], metavar="CHECK_ID")

    progress = commands.add_parser("progress", parents=[language, running],
                                   help="where your project stands, step by step")
    progress.add_argument("--project", type=Path, required=True)
    progress.add_argument("--all", action="store_true", help="every step, not only up to the first failing one")
    progress.add_argument("--format", choices=["text", "json"], default="text")

    watch = commands.add_parser("watch", parents=[language, running],
                                help="check again whenever a file of the project changes")
    watch.add_argument("step", type=int)
    watch.add_argument("--project", type=Path, required=True)
    watch.add_argument("--runs", type=int, default=0, help=argparse.SUPPRESS)  # for tests

    grade = commands.add_parser("grade", parents=[language, running],
                                help="check every submission under DIR (folders, .zip, .tar.gz)")
    grade.add_argument("dir", type=Path)
    grade.add_argument("--step", type=int, required=True)
    grade.add_argument("--format", default="md",
                       help="md, csv, json, html or junit for the class; gradescope, classroom, junit per "
                            "submission; several, comma-separated, with --out FOLDER (grades.<format>, "
                            "submissions/<entry>/...)")
    grade.add_argument("--out", type=Path)
    grade.add_argument("--jobs", type=int, default=1, help="projects checked at once (default 1)")
    grade.add_argument("--roster", type=Path,
                       help="CSV: the entry's name, student id, name, email; names the rows, lists who is missing")
    grade.add_argument("--delimiter", default=",", help="the CSV's delimiter (';' for Excel in many locales)")
    grade.add_argument("--unsafe", action="store_true",
                       help="run the submissions without a sandbox (where bubblewrap is missing): their code can do anything you can")

    diff = commands.add_parser("diff", help="what step N changes against step N-1")
    diff.add_argument("step", type=int)
    diff.add_argument("--color", choices=["auto", "always", "never"], default="auto")

    commands.add_parser("selfcheck", help="the course's own consistency check (for the workbook's authors)")
    return parser


def main(argv=None) -> int:
    try:
        return dispatch(argv)
    except BrokenPipeError:  # `python -m checker list | head`
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        return EXIT_FAILED


def dispatch(argv) -> int:
    args = build_parser().parse_args(argv)
    if hasattr(args, "lang") and args.lang is None:
        args.lang = "en" if getattr(args, "format", "") in MACHINE_FORMATS else default_lang()
    course = load_course()
    if args.command == "list":
        return cmd_list(course, args)
    if args.command == "selfcheck":
        from checker.selfcheck import cmd_selfcheck

        return cmd_selfcheck(course)
    if args.command == "watch":
        from checker.watch import cmd_watch

        if args.step not in course.steps:
            return usage_error(t("no-step", args.lang, step=args.step, steps=", ".join(map(str, course.steps))))
        try:
            return cmd_watch(course, args)
        except ProjectNotFound as exc:
            return usage_error(t("no-project", args.lang, detail=exc))
    if args.command == "progress":
        return cmd_progress_args(course, args)
    if args.command == "grade":
        from checker.grade import cmd_grade

        return cmd_grade(course, args)
    if args.command == "diff":
        from checker.stepdiff import cmd_diff

        return cmd_diff(course, args)
    return cmd_check(course, args)


def cmd_progress_args(course, args) -> int:
    from checker.progress import cmd_progress

    try:
        project = locate(args.project)
        interpreter = find(project.root, args.python)
    except ProjectNotFound as exc:
        return usage_error(t("no-project", args.lang, detail=exc))
    except InterpreterNotFound as exc:
        return usage_error(t("no-interpreter", args.lang, detail=exc))
    return cmd_progress(course, args, project, interpreter)


def usage_error(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_USAGE


def cmd_list(course, args) -> int:
    if args.format == "json":
        import json

        steps = [
            {
                "step": s.number, "slug": s.slug, "title": s.title(args.lang), "needs_redis": s.needs_redis,
                "lesson": s.lesson, "checks": list(s.checks),
            }
            for s in course.steps.values()
        ]
        print(json.dumps(steps, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(t("list-heading", args.lang))
    for s in course.steps.values():
        redis = " [Redis]" if s.needs_redis else ""
        print(f"{s.number:02d} {s.slug:<9} {s.title(args.lang)}{redis}")
        for check_id in s.checks:
            spec = course.checks[check_id]
            star = "*" if spec.thorough else " "
            print(f"     {star} {check_id:<20} {spec.title(args.lang)}")
    return EXIT_OK


def refuse(course, args, message: str, step=None, seconds: float = 0.0, key: str = "usage") -> int:
    """Exit 2, with the reason on stderr; a machine format still gets its document (one failing
    test that says why), so that a CI or an autograder always has a report to read."""
    print(message, file=sys.stderr)
    if args.format in MACHINE_FORMATS and (step is not None or args.format == "junit"):
        from checker.autograders import Submission, render_format

        if step is None:  # no such step: a suite named after what was asked
            from checker.course import Step

            step = Step(number=0, slug=str(args.step), lesson="", needs_redis=False)
        name = args.project.name if args.project else ""
        sub = Submission(step, None, name, seconds, message, key, args.thorough, str(args.project or ""))
        emit(args, render_format(args.format, sub, course, args.lang))
    return EXIT_USAGE


def emit(args, text: str) -> None:
    """The --format output: into --out (whole or not at all), else on stdout."""
    if getattr(args, "out", None):
        from checker.files import write_atomically

        write_atomically(args.out, text if text.endswith("\n") else text + "\n")
    else:
        print(text.rstrip("\n"), flush=True)


def cmd_check(course, args) -> int:
    started = time.monotonic()
    machine = args.format in MACHINE_FORMATS
    steps = sorted(course.steps) if args.step == "all" else None
    if steps is None:
        try:
            steps = [int(args.step)]
        except ValueError:
            steps = [-1]
        if steps[0] not in course.steps:
            return refuse(course, args, t("no-step", args.lang, step=args.step, steps=", ".join(map(str, course.steps))))
    one = course.steps[steps[0]] if len(steps) == 1 else None
    if args.step == "all" and args.project:  # a student's project across the steps: progress
        if args.format not in ("text", "json"):
            return usage_error("check all --project: --format text or json (it is `progress`)")
        args.all = False
        return cmd_progress_args(course, args)
    if args.format in ("gradescope", "classroom") and one is None:
        return usage_error(f"check all: --format {args.format} is for one step (check N)")
    args.only = [c.strip() for value in args.only for c in value.split(",") if c.strip()]
    for check_id in args.only:
        step = course.steps[steps[0]]
        if check_id not in step.checks:
            return refuse(course, args, t("unknown-check", args.lang, step=step.number, check=check_id,
                                          checks=", ".join(step.checks)), one)

    options = Options.from_args(args)
    options.verdicts = options.sandbox
    if options.sandbox:
        from checker.sandbox import available

        missing = available()
        if missing:
            return refuse(course, args, missing, one)
    project = None
    if args.project is not None:
        try:
            project = locate(args.project)
        except ProjectNotFound as exc:
            return refuse(course, args, t("no-project", args.lang, detail=exc), one, time.monotonic() - started,
                          "no-project")
    try:
        interpreter = find(project.root if project else None, args.python) if (project or args.python) else None
    except InterpreterNotFound as exc:
        return refuse(course, args, t("no-interpreter", args.lang, detail=exc), one, time.monotonic() - started,
                      "no-interpreter")

    reports, seconds = [], []
    for number in steps:
        step = course.steps[number]
        target = project or locate(step.path)
        began = time.monotonic()
        report = run_step(course, step, target, options, reference=project is None, interpreter=interpreter)
        seconds.append(time.monotonic() - began)
        reports.append(report)
        if args.format == "text" or (machine and args.out):  # with --out, stdout is free for people
            print(as_text(report, args.lang, verbose=args.verbose), flush=True)
            if len(steps) > 1:
                print()
    if args.format == "json":
        print(as_json(reports, args.lang))
    elif machine:
        from checker.autograders import Submission, junit, render_format

        name = args.project.name if args.project else ""
        subs = [Submission(r.step, r, name, s, thorough=args.thorough) for r, s in zip(reports, seconds, strict=True)]
        emit(args, junit(subs, course, args.lang) if len(subs) > 1 else render_format(args.format, subs[0], course, args.lang))
    elif len(steps) > 1:
        ok = sum(r.passed for r in reports)
        print(t("summary-all", args.lang, ok=ok, total=len(reports), seconds=time.monotonic() - started))
    return EXIT_OK if all(r.passed for r in reports) else EXIT_FAILED
