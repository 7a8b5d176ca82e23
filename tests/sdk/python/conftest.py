"""Fixtures: one US and one FR Pasarela for the whole run, stripe-python clients pointed at them,
and the schema check turned into a test failure.

Environment:
  PASARELA_BIN           the binary (run.sh builds it and sets this)
  PASARELA_DATABASE      "postgres": each server gets a fresh database on the PostgreSQL server
                         of PASARELA_TEST_DATABASE_URL (postgres://USER@HOST:PORT, no database)
  PASARELA_SCHEMA_CHECK  "strict" (default): a response that departs from Stripe's object
                         description fails the test; "warn": print the problems only.
"""
from __future__ import annotations

import os

import pytest

import helpers


@pytest.fixture(scope="session")
def us():
    server = helpers.Server("US").start()
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def fr():
    server = helpers.Server("FR").start()
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def client(us):
    """stripe-python as a user of today's SDK writes it (pinned 2026-10-28.endive)."""
    return us.client()


@pytest.fixture(scope="session")
def fr_client(fr):
    return fr.client()


@pytest.fixture(scope="session")
def base(us):
    return us.url


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by playwright (tools that download their own
    browser cannot run here)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    helpers.PROBLEMS.clear()
    result = yield
    problems = list(helpers.PROBLEMS)
    helpers.PROBLEMS.clear()
    if problems:
        text = "responses that do not match Stripe's object schemas (tests/schema/check.py):\n" + "\n".join(problems)
        if os.environ.get("PASARELA_SCHEMA_CHECK", "strict") == "warn":
            print(text)
        else:
            raise AssertionError(text)
    return result
