"""The browser of a `run` marker's `browser:` fields (tools/lesson_runs.py): headless Chromium
driven by selenium, run inside the marker's loopback while the commands run.

    python tools/lesson_browser.py http://127.0.0.1:8000 "/chat/lobby/ type hello" "/chat/lobby/ close"

Each argument after the server's address is a tab, opened in order: its path, then what is done
in it (`type TEXT` types into the message field and presses Enter; `close` closes the tab, so
that its socket's disconnect has happened before the commands run). When every tab is done it
writes ~/browser.ready and waits for ~/browser.done; then it closes the browser (the remaining
tabs' sockets disconnect) and prints the console as DevTools shows it, one message a line. Each
tab's text as it loaded (before what is done in it) is in ~/browser.text.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

DEADLINE = 60  # seconds for a socket to open, and for the commands to run
# The page's socket has left CONNECTING (open or failed); pages without `chatSocket` load and go.
SOCKET_SETTLED = "return typeof chatSocket === 'undefined' || chatSocket.readyState !== 0"
# Chromium's log line for a console message: where it came from (the page and its line:column,
# or a resource and "-"), then the message. DevTools names the page's line aside; we drop it.
SOURCE = re.compile(r"^(?P<url>\S+) (?:\d+(?::\d+)? )?(?P<dash>- )?")


def chrome() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def wait_for(driver, script: str) -> None:
    end = time.monotonic() + DEADLINE
    while not driver.execute_script(script) and time.monotonic() < end:
        time.sleep(0.05)


def disconnects() -> int:
    """The sockets the server has logged as gone (~/server.log of the run), 0 without a log."""
    log = Path.home() / "server.log"
    return log.read_text(encoding="utf-8", errors="replace").count("WebSocket DISCONNECT") if log.exists() else 0


def page_text(driver) -> str:
    """The page's text as the browser lays it out, without its styles: a table's cells one space
    apart, no run of blank lines."""
    text = driver.execute_script("return document.body.innerText").replace("\t", " ")
    return re.sub(r"\n{2,}", "\n", text).strip() + "\n"


def shown(message: str, pages: set[str]) -> str:
    """A console message as DevTools prints it: a string argument without its JSON quotes; one
    about another resource (the favicon's 404) keeps that resource's address."""
    source = SOURCE.match(message)
    text = message[source.end():] if source else message
    if source and source["url"] not in pages:
        text = f"{source['url']}: {text}"
    if text.startswith('"') and text.endswith('"'):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def main(base: str, tabs: list[str]) -> int:
    driver = chrome()
    console, texts = [], []
    pages = {base + tab.split(" ")[0] for tab in tabs}
    try:
        blank = True  # the browser's first window, or the one a closed tab left: load into it
        for tab in tabs:
            path, *actions = tab.split(" ")
            if not blank:
                driver.switch_to.new_window("tab")
            blank = False
            driver.get(base + path)
            wait_for(driver, SOCKET_SETTLED)
            texts.append(page_text(driver))
            while actions:
                action = actions.pop(0)
                if action == "type":
                    field = driver.find_element(By.ID, "chat-message-input")
                    field.send_keys(actions.pop(0) + Keys.ENTER)
                    time.sleep(0.5)  # the echo (or the error) comes back before the next step
                elif action == "close":  # a blank tab first: closing the last window ends the session
                    console += driver.get_log("browser")
                    before = disconnects()
                    closing = driver.current_window_handle
                    driver.switch_to.new_window("tab")
                    kept = driver.current_window_handle
                    driver.switch_to.window(closing)
                    driver.close()
                    driver.switch_to.window(kept)
                    blank = True
                    # The server has seen the socket go (its log says so), and its consumer's
                    # disconnect() has had a moment to leave the group, before the commands ask.
                    end = time.monotonic() + DEADLINE
                    while disconnects() <= before and time.monotonic() < end:
                        time.sleep(0.05)
                    time.sleep(0.3)
                else:
                    raise SystemExit(f"lesson_browser: `{action}`: the actions are `type TEXT` and `close`")
        (Path.home() / "browser.text").write_text("\n".join(texts), encoding="utf-8")
        ready, done = Path.home() / "browser.ready", Path.home() / "browser.done"
        ready.touch()
        end = time.monotonic() + DEADLINE
        while not done.exists() and time.monotonic() < end:
            time.sleep(0.05)
        console += driver.get_log("browser")
    finally:
        driver.quit()
    for entry in console:
        print(shown(entry["message"], pages))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
