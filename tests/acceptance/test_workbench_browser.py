"""The workbench in a real headless Chromium (Debian's chromium + chromium-driver, driven by
Selenium) against `dragoman serve` with Apertium: sign in, take a job, edit two segments,
see a placeholder warning, deliver; HTML in a segment and a comment runs no script.
Screenshots of the list and the editor (desktop and phone width) go to tests/.output/."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.acceptance.serverproc import ServerProcess, cli, server_env

pytestmark = pytest.mark.apertium

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
OUTPUT = Path(__file__).resolve().parents[1] / ".output" / "workbench"
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
DATA = {"title": "The house is big.", "greeting": "Hello {name}, you have new messages."}


def _require(what: str, present: bool) -> None:
    if not present:
        if os.environ.get("CI"):
            pytest.fail(f"{what} is required under CI")
        pytest.skip(f"{what} is not installed")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[ServerProcess, str, str]]:
    """A server with Apertium; yields it, a customer API key and a translator key."""
    _require("Apertium", shutil.which("apertium") is not None)
    _require(
        "chromium and chromium-driver", Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()
    )
    env = server_env(tmp_path / "data", DRAGOMAN_DEFAULT_ENGINE_PROVIDER="apertium")
    made = cli(env, "keys", "create", "--org", "wb")
    assert made.returncode == 0, made.stderr
    translator = cli(
        env, "translators", "create", "--org", "wb", "--name", "Ana", "--pairs", "en-es"
    )
    assert translator.returncode == 0, translator.stderr
    process = ServerProcess(env, tmp_path / "server.log").start()
    yield process, made.stdout.strip().splitlines()[-1], translator.stdout.strip().splitlines()[-1]
    process.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--lang=en-US"):  # fmt: skip
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def _jobs(base: str, key: str, tkey: str) -> tuple[str, str]:
    """A human engine and two jobs, the second with HTML in a segment and a comment."""
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as client:
        body = {"name": "people", "provider": "human", "options": {"tier": "standard"}}
        engine = client.post("/engines", json=body).json()["id"]
        term = {"sourceTerm": "house", "targetTerm": "casa"}
        assert client.post("/glossaries/en-es/terms", json=term).status_code == 201
        ids = []
        for data in (DATA, {"evil": XSS, "file": "Save the file"}):
            sent = client.post(
                "/jobs/localization",
                json={"sourceLocale": "en", "targetLocales": ["es"], "data": data,
                      "engineId": engine},
            )  # fmt: skip
            assert sent.status_code == 202, sent.text
            ids.append(sent.json()["jobs"][0]["id"])
        deadline = time.monotonic() + 30
        while True:
            listed = httpx.get(f"{base}/translator/v1/jobs", headers={"X-API-Key": tkey})
            if {i["id"] for i in listed.json()["items"]} >= set(ids):
                break
            assert time.monotonic() < deadline, "the jobs never became available"
            time.sleep(0.1)
        said = client.post(f"/jobs/localization/{ids[1]}/comments", json={"body": XSS})
        assert said.status_code == 201, said.text
    return ids[0], ids[1]


def _wait(driver: Any, condition: Any, timeout: float = 10) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition)


def _segment(driver: Any, key: str) -> Any:
    from selenium.webdriver.common.by import By

    for section in driver.find_elements(By.CSS_SELECTOR, ".segment"):
        if section.find_element(By.CSS_SELECTOR, ".key").text.endswith(key):
            return section
    raise AssertionError(f"no segment {key}")


def _shot(driver: Any, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / name
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path


def test_sign_in_take_edit_see_a_placeholder_warning_and_deliver(
    server: tuple[ServerProcess, str, str], browser: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    process, key, tkey = server
    job_id, evil_id = _jobs(process.base, key, tkey)
    d = browser

    d.get(f"{process.base}/workbench/jobs")
    assert d.current_url.endswith("/workbench/login")
    d.find_element(By.ID, "key").send_keys(tkey)
    d.find_element(By.ID, "signin").click()
    _wait(d, lambda d: d.current_url.endswith("/workbench/jobs"))
    available = d.find_element(By.ID, "available")
    assert job_id in available.text and evil_id in available.text
    assert "<script>window.__xss=1</script>" in available.text  # the preview, as text
    assert d.execute_script("return typeof window.__xss") == "undefined"
    _shot(d, "list.png")

    available.find_element(By.CSS_SELECTOR, f'li[data-job="{job_id}"] button.take').click()
    _wait(d, lambda d: d.current_url.endswith(f"/workbench/jobs/{job_id}"))
    title, greeting = _segment(d, "title"), _segment(d, "greeting")
    title_box = title.find_element(By.CSS_SELECTOR, ".target")
    greeting_box = greeting.find_element(By.CSS_SELECTOR, ".target")
    assert "casa" in title_box.text.lower()  # Apertium's suggestion, pre-filled
    term = title.find_element(By.CSS_SELECTOR, ".source mark.term")
    assert term.text == "house" and term.get_attribute("title") == "\u2192 casa"
    chips = greeting_box.find_elements(By.CSS_SELECTOR, ".chip")
    assert [c.text for c in chips] == ["{name}"]
    assert d.find_element(By.ID, "progress-text").text == "0 / 2"

    # Segment 1: replace the suggestion, confirm with Ctrl+Enter; the caret moves on.
    title_box.click()
    title_box.send_keys(Keys.CONTROL, "a")
    title_box.send_keys("La casa es enorme.")
    title_box.send_keys(Keys.CONTROL, Keys.ENTER)
    _wait(d, lambda d: d.switch_to.active_element == greeting_box)
    _wait(d, lambda d: "done" in title.get_attribute("class"))

    # Segment 2: the chip survives select-all + Delete; Clear starts over, and typing
    # without the placeholder shows the warning as you type.
    greeting_box.send_keys(Keys.CONTROL, "a")
    greeting_box.send_keys(Keys.DELETE)
    assert len(greeting_box.find_elements(By.CSS_SELECTOR, ".chip")) == 1
    assert "cannot be deleted" in d.find_element(By.ID, "flash").text
    greeting.find_element(By.CSS_SELECTOR, "button.clear").click()
    greeting_box.send_keys("Hola, tienes mensajes nuevos.")
    qa = greeting.find_element(By.CSS_SELECTOR, ".qa")
    _wait(d, lambda d: "placeholder {name} is missing" in qa.text)
    _shot(d, "editor-warning.png")
    greeting_box.send_keys(Keys.HOME, *[Keys.ARROW_RIGHT] * 4, " ")
    greeting.find_element(By.CSS_SELECTOR, "button.insert").click()
    _wait(d, lambda d: qa.text == "")
    greeting_box.send_keys(Keys.BACKSPACE)  # the caret sits right after the new chip
    assert [c.text for c in greeting_box.find_elements(By.CSS_SELECTOR, ".chip")] == ["{name}"]
    state = greeting.find_element(By.CSS_SELECTOR, ".save-state")
    _wait(d, lambda d: state.text == "saved")
    assert d.find_element(By.ID, "progress-text").text == "2 / 2"
    _shot(d, "editor.png")

    d.set_window_size(390, 844)  # a phone: one column, the target under its source
    source = greeting.find_element(By.CSS_SELECTOR, ".source")
    assert abs(source.location["x"] - greeting_box.location["x"]) < 2
    assert greeting_box.location["y"] > source.location["y"]
    assert d.execute_script("return document.documentElement.scrollWidth") <= 390
    _shot(d, "editor-phone.png")
    d.set_window_size(1280, 900)

    d.find_element(By.ID, "deliver").click()
    _wait(d, lambda d: "delivered=" in d.current_url)
    assert f"Delivered {job_id}." in d.find_element(By.CSS_SELECTOR, ".notice").text
    review = httpx.get(
        f"{process.base}/jobs/localization/{job_id}/review", headers={"X-API-Key": key}
    ).json()
    assert review["stage"] == "reviewable"
    targets = set(review["revisions"][0]["targets"].values())
    assert targets == {"La casa es enorme.", "Hola {name}, tienes mensajes nuevos."}

    # HTML in a segment and in a comment is shown as text, in the preview and once taken.
    d.get(f"{process.base}/workbench/jobs/{evil_id}")
    comments = [c.text for c in d.find_elements(By.CSS_SELECTOR, ".comment .body")]
    assert comments == [XSS]
    d.find_element(By.CSS_SELECTOR, "button.take").click()
    _wait(d, lambda d: d.find_elements(By.ID, "deliver"))
    evil = _segment(d, "evil")
    assert XSS in evil.find_element(By.CSS_SELECTOR, ".source").text
    assert "<img src=x" in evil.find_element(By.CSS_SELECTOR, ".target").text
    assert d.find_elements(By.CSS_SELECTOR, ".segments img, .comments img, .segments script") == []
    assert d.execute_script("return typeof window.__xss") == "undefined"
    # No script error and no Content-Security-Policy violation on any page.
    errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    assert [e for e in errors if "favicon.ico" not in e["message"]] == []
