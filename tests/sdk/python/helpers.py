"""Shared machinery for the stripe-python conformance suite.

- `Server`: starts the real `pasarela` binary on a port the system picks (`--listen
  127.0.0.1:0`; the port is read from the server's first line) with a fresh SQLite file, or a
  fresh database on the PostgreSQL server of `PASARELA_TEST_DATABASE_URL` when
  `PASARELA_DATABASE=postgres`.
- `request()`: raw HTTP with the standard library (curl-like calls, Stripe.js-like calls,
  hosted pages), never following redirects.
- `RecordingHTTPClient`: the HTTP client handed to stripe-python, so that every JSON body the
  SDK receives goes through the schema check as well.
- `check_schema()`: every JSON body is checked against Stripe's object schemas
  (`tests/schema/check.py` and its `objects.json`); problems are collected in `PROBLEMS` and
  turned into a test failure by `conftest.py`.
"""
from __future__ import annotations

import base64
import glob
import html.parser
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]  # tests/sdk/python -> repo root
sys.path.insert(0, str(REPO / "tests" / "schema"))

import check as schema_check  # noqa: E402  (tests/schema/check.py)

import stripe  # noqa: E402

SK = "sk_test_BQokikJOvBiI2HlWgH4olfQ2"
PK = "pk_test_TYooMQauvdEDq54NiTphI7jx"
ENDIVE = "2026-10-28.endive"  # what stripe-python 16.1.0 pins
CLOVER = "2025-09-30.clover"  # the account default (contract)
# run.sh builds it and sets PASARELA_BIN; cargo's target dir otherwise.
BIN = os.environ.get("PASARELA_BIN") or str(
    Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target").resolve() / "release" / "pasarela")

PROBLEMS: list[str] = []
_PROBLEMS_LOCK = threading.Lock()

SECRET_RE = re.compile(r"^(pi_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+$")


# --------------------------------------------------------------------------------------------
# schema checks
# --------------------------------------------------------------------------------------------
def _lenient_prefixes(body) -> list[str]:
    """Paths of event payloads rendered at a version other than endive (checked leniently)."""
    out = []
    if isinstance(body, dict) and body.get("object") == "event":
        if body.get("api_version") != ENDIVE:
            out.append(".data.object")
    if isinstance(body, dict) and body.get("object") == "list" and isinstance(body.get("data"), list):
        for i, item in enumerate(body["data"]):
            if isinstance(item, dict) and item.get("object") == "event" and item.get("api_version") != ENDIVE:
                out.append(f".data[{i}].data.object")
    return out


def _is_version_dependent(problem: str) -> bool:
    # Fields added or removed since, and values renamed since (Checkout's `ui_mode`, dahlia).
    return ("missing (Stripe always sends it" in problem or "not a field of this object" in problem
            or (".ui_mode:" in problem and "is not one of" in problem))


def schema_problems(body, *, version: str | None = ENDIVE, partial: bool = False) -> list[str]:
    """Problems of one JSON body.

    version: the Stripe-Version that rendered it. tests/schema/objects.json describes endive; a body rendered
      at another version from 2024-06-20 on is held to types/nullability/enums only (fields may differ by
      version). A body rendered at one of the older versions (tests/schema/versions/<V>.json, from the
      stripe-node release that pinned V) is held to V's schema, with what Stripe adds to every version:
        * a field V's schema requires and the body lacks is a problem ("missing");
        * a field the body has that V's schema lacks is not a problem if the newest schema (objects.json)
          or a later old version's has it on that object (Stripe shows additive fields on every version;
          it is checked as the first version that has it declares it), and is one ("not a field of this
          object") otherwise;
        * an enum value must be one of V's, a later version's or the newest's values for that field (values
          are additive; one renamed since stays valid at V);
        * types and nullability are V's;
        * an object V's SDK does not declare (it came later) is held to the first later schema of it.
    partial: the publishable-key view of an intent (Stripe.js), which omits fields on purpose;
      absent fields are not reported, present ones must still be right.
    """
    old = version in schema_check.old_versions()
    if old:
        problems = schema_check.problems(body, limit=60, version=version, additive=True)
    else:
        problems = schema_check.problems(body, limit=60)
    lenient = _lenient_prefixes(body)
    out = []
    for p in problems:
        path = p.split(":", 1)[0]
        if partial and "missing (Stripe always sends it" in p:
            continue
        if not old and version not in (None, ENDIVE) and _is_version_dependent(p):
            continue
        if any(path == lp or path.startswith(lp + ".") or path.startswith(lp + "[") for lp in lenient) \
                and _is_version_dependent(p):
            continue
        out.append(p)
    return out


def check_schema(body, where: str, *, version: str | None = ENDIVE, partial: bool = False) -> list[str]:
    """Check a body and record its problems for the running test."""
    problems = schema_problems(body, version=version, partial=partial)
    if problems:
        with _PROBLEMS_LOCK:
            PROBLEMS.append(f"{where} (Stripe-Version {version}):\n    " + "\n    ".join(problems))
    return problems


def assert_error(x, status: int, type_: str, code: str | None, param: str | None) -> dict:
    """An error answer, as a `Resp` or a stripe-python error: its HTTP status and the error's
    `type`, `code` and `param` (None: the field is absent, as Stripe leaves it out). Returns the
    error object for further checks."""
    if isinstance(x, Resp):
        got_status, err = x.status, x.error
    elif isinstance(x, stripe.StripeError):
        got_status, err = x.http_status, (x.json_body or {}).get("error")
        assert isinstance(err, dict), f"not an error body: {x.json_body!r}"
    else:
        raise TypeError(f"not an error answer: {x!r}")
    got = (got_status, err.get("type"), err.get("code"), err.get("param"))
    want = (status, type_, code, param)
    assert got == want, f"expected (status, type, code, param) {want}, got {got}: {err.get('message')!r}"
    return err


def raw(obj) -> dict:
    """The JSON of a stripe-python object (the server's bytes when the SDK kept them)."""
    resp = getattr(obj, "last_response", None)
    if resp is not None and resp.body:
        try:
            data = json.loads(resp.body)
            mine = obj.to_dict()
            if isinstance(data, dict) and data.get("id") == mine.get("id") and data.get("object") == mine.get("object"):
                return data
        except ValueError:
            pass
    return obj.to_dict()


# --------------------------------------------------------------------------------------------
# the server
# --------------------------------------------------------------------------------------------
LISTENING_RE = re.compile(r"^Pasarela listening on (http://127\.0\.0\.1:(\d+)) \(public URL (\S+)\)")


def pg_url(server: str, database: str) -> str:
    """`server` (a PostgreSQL URL without a database, `PASARELA_TEST_DATABASE_URL`) with
    `database` as its path."""
    parts = urllib.parse.urlsplit(server)
    return urllib.parse.urlunsplit(parts._replace(path="/" + database))


def psql(server: str, sql: str, *, check: bool = True) -> None:
    """Runs one statement on the server's `postgres` database (every cluster has it)."""
    exe = shutil.which("psql") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))), None)
    if not exe:
        raise RuntimeError("psql not found (Debian's postgresql-client); scripts/test installs it")
    subprocess.run([exe, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", pg_url(server, "postgres"), "-c", sql],
                   check=check, stdin=subprocess.DEVNULL)


class Server:
    """The real binary on a port the system picks: `--listen 127.0.0.1:0`, and the port (and the
    public URL the hosted pages use, derived from it) read from the first line it prints."""

    def __init__(self, country: str = "US", extra_args: list[str] | None = None) -> None:
        self.country = country
        self.extra_args = extra_args or []
        self.port: int | None = None
        self.url: str | None = None
        self.dir = tempfile.mkdtemp(prefix=f"pasarela-py-{country.lower()}-")
        self.log_path = os.path.join(self.dir, "server.log")
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None
        self._pump: threading.Thread | None = None
        # PASARELA_DATABASE=postgres runs the suite on a fresh PostgreSQL database per server,
        # on the server PASARELA_TEST_DATABASE_URL names (scripts/test starts a throwaway one),
        # instead of a fresh SQLite file.
        self.pg_server: str | None = None
        self.pg_name: str | None = None
        if os.environ.get("PASARELA_DATABASE") == "postgres":
            self.pg_server = os.environ.get("PASARELA_TEST_DATABASE_URL")
            if not self.pg_server:
                raise RuntimeError(
                    "PASARELA_DATABASE=postgres needs PASARELA_TEST_DATABASE_URL, a PostgreSQL server URL "
                    "without a database (postgres://postgres@127.0.0.1:5432); scripts/test starts a throwaway one")
            self.pg_name = "pasarela_py_" + re.sub(r"[^a-z0-9]", "_", os.path.basename(self.dir).lower())
            psql(self.pg_server, f"CREATE DATABASE {self.pg_name}")
            self.database_url = pg_url(self.pg_server, self.pg_name)
        else:
            self.database_url = f"sqlite:{self.dir}/p.db"

    def start(self, timeout: float = 15.0) -> "Server":
        if not os.path.exists(BIN):
            raise RuntimeError(f"pasarela binary not found at {BIN} (set PASARELA_BIN)")
        cmd = [
            BIN, "serve",
            "--listen", "127.0.0.1:0",
            "--database-url", self.database_url,
            "--secret-key", SK,
            "--publishable-key", PK,
            "--country", self.country,
            *self.extra_args,
        ]
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL)
        first: queue.Queue = queue.Queue()

        def pump(out=self.proc.stdout, log=self._log):
            # Everything the server prints goes to the log; its first line is handed over.
            told = False
            for line in out:
                log.write(line)
                log.flush()
                if not told:
                    first.put(line.decode("utf-8", "replace"))
                    told = True
            if not told:
                first.put(None)

        self._pump = threading.Thread(target=pump, daemon=True)
        self._pump.start()
        deadline = time.monotonic() + timeout
        try:
            line = first.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            raise RuntimeError(f"pasarela printed nothing within {timeout}s:\n{self.log_tail()}")
        if line is None:
            self.proc.wait()
            raise RuntimeError(f"pasarela exited with {self.proc.returncode} at start:\n{self.log_tail()}")
        m = LISTENING_RE.match(line)
        if not m:
            self.stop()
            raise RuntimeError(f"pasarela's first line does not say where it listens: {line!r}")
        self.url, self.port = m.group(1), int(m.group(2))
        # The hosted pages' links are built from the public URL, derived from the bound port.
        assert m.group(3) == self.url, f"public URL {m.group(3)} is not the listening address {self.url}"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pasarela exited with {self.proc.returncode} at start:\n{self.log_tail()}")
            try:
                with _OPENER.open(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"pasarela did not answer /healthz within {timeout}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> int | None:
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.returncode = self.proc.returncode
        self.proc = None
        if self._pump is not None:
            self._pump.join(timeout=5)
            self._pump = None
        self._log.close()
        return self.returncode

    def cleanup(self) -> None:
        """Stop and remove the temp dir (kept when PASARELA_KEEP_TMP is set, for the logs)."""
        self.stop()
        if self.pg_name:
            psql(self.pg_server, f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)", check=False)
        if not os.environ.get("PASARELA_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, n: int = 40) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    # SDK client pointed at this server
    def client(self, api_key: str = SK, **kw) -> stripe.StripeClient:
        return stripe.StripeClient(
            api_key,
            base_addresses={"api": self.url},
            max_network_retries=0,
            http_client=RecordingHTTPClient(),
            **kw,
        )


# --------------------------------------------------------------------------------------------
# raw HTTP
# --------------------------------------------------------------------------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


class Resp:
    def __init__(self, status: int, headers, body: bytes, url: str) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
        self.json = None
        ctype = headers.get("Content-Type", "") or ""
        if "json" in ctype or body[:1] in (b"{", b"["):
            try:
                self.json = json.loads(body)
            except ValueError:
                self.json = None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def error(self) -> dict:
        assert isinstance(self.json, dict) and "error" in self.json, f"not an error body: {self.text[:500]}"
        return self.json["error"]

    def __repr__(self) -> str:
        return f"<Resp {self.status} {self.text[:300]}>"


def flatten(params, prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's bracket notation for nested dicts and lists (lists indexed as the SDKs do)."""
    out: list[tuple[str, str]] = []
    if isinstance(params, dict):
        for k, v in params.items():
            key = f"{prefix}[{k}]" if prefix else str(k)
            out += flatten(v, key)
    elif isinstance(params, (list, tuple)) and prefix:
        for i, v in enumerate(params):
            out += flatten(v, f"{prefix}[{i}]")
    elif isinstance(params, bool):
        out.append((prefix, "true" if params else "false"))
    elif params is None:
        pass
    else:
        out.append((prefix, str(params)))
    return out


def encode(params) -> str:
    if params is None:
        return ""
    if isinstance(params, str):
        return params
    if isinstance(params, list):  # already a list of (name, value) pairs, sent verbatim
        return urllib.parse.urlencode(params)
    return urllib.parse.urlencode(flatten(params))


def request(base: str, method: str, path: str, params=None, *, key: str | None = SK, auth: str = "bearer",
            version: str | None = None, headers: dict | None = None, content_type: str | None = None,
            validate: bool = True, partial: bool | None = None, timeout: float = 30) -> Resp:
    """One HTTP call. auth: "bearer", "basic" (curl -u key:), "param" (Stripe.js key=pk_...), or None."""
    method = method.upper()
    hdrs = {"Accept": "application/json"}
    if key and auth == "bearer":
        hdrs["Authorization"] = f"Bearer {key}"
    elif key and auth == "basic":
        hdrs["Authorization"] = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    if version:
        hdrs["Stripe-Version"] = version
    if headers:
        hdrs.update(headers)
    body_str = encode(params)
    if key and auth == "param":
        body_str = "&".join(x for x in (f"key={urllib.parse.quote(key)}", body_str) if x)
    url = path if path.startswith("http") else base + path
    data = None
    if method in ("GET", "DELETE"):
        if body_str:
            url += ("&" if "?" in url else "?") + body_str
    else:
        data = body_str.encode()
        hdrs["Content-Type"] = content_type or "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with _OPENER.open(req, timeout=timeout) as r:
            resp = Resp(r.status, r.headers, r.read(), url)
    except urllib.error.HTTPError as e:
        resp = Resp(e.code, e.headers, e.read(), url)
    if validate and resp.json is not None:
        if partial is None:
            partial = bool(key and key.startswith("pk_"))
        check_schema(resp.json, f"{method} {urllib.parse.urlsplit(url).path}",
                     version=resp.headers.get("Stripe-Version"), partial=partial)
    return resp


class RecordingHTTPClient(stripe.RequestsClient):
    """stripe-python's requests client; every JSON answer is schema-checked on the way in."""

    def __init__(self, **kw) -> None:
        import requests

        session = requests.Session()
        session.trust_env = False
        super().__init__(session=session, **kw)

    def request(self, method, url, headers, post_data=None):
        content, status, rheaders = super().request(method, url, headers, post_data)
        try:
            body = json.loads(content)
        except (ValueError, TypeError):
            body = None
        if body is not None:
            check_schema(body, f"SDK {method.upper()} {urllib.parse.urlsplit(url).path}",
                         version=rheaders.get("Stripe-Version"))
        return content, status, rheaders


# --------------------------------------------------------------------------------------------
# the hosted test authorization page
# --------------------------------------------------------------------------------------------
class _FormParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._cur: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._cur = {"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                         "fields": [], "submits": []}
            self.forms.append(self._cur)
        elif self._cur is not None and tag in ("input", "button"):
            name = a.get("name")
            typ = a.get("type", "submit" if tag == "button" else "text").lower()
            if not name:
                return
            if typ == "submit" or tag == "button":
                self._cur["submits"].append((name, a.get("value", "")))
            elif typ in ("checkbox", "radio") and "checked" not in a:
                pass
            else:
                self._cur["fields"].append((name, a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._cur = None


def parse_forms(page: str) -> list[dict]:
    p = _FormParser()
    p.feed(page)
    return p.forms


def outcome_form(forms: list[dict], outcome: str) -> tuple[dict, list[tuple[str, str]]]:
    """The POST form that submits outcome=<outcome>, with the fields to send."""
    for f in forms:
        pairs = f["fields"] + f["submits"]
        if ("outcome", outcome) in pairs and f["method"] == "post":
            fields = [x for x in f["fields"]]
            if ("outcome", outcome) not in fields:
                fields.append(("outcome", outcome))
            return f, fields
    raise AssertionError(f"no <form method=post> submitting outcome={outcome}: {forms}")


def open_auth_page(page_url: str) -> tuple[Resp, list[dict]]:
    r = request("", "GET", page_url, key=None, validate=False, headers={"Accept": "text/html"})
    return r, parse_forms(r.text)


def submit_outcome(page_url: str, outcome: str) -> Resp:
    """Open the hosted page and press one of its two buttons; returns the (unfollowed) answer."""
    page, forms = open_auth_page(page_url)
    assert page.status == 200, page
    form, fields = outcome_form(forms, outcome)
    action = urllib.parse.urljoin(page_url, form["action"] or page_url)
    return request("", "POST", action, fields, key=None, validate=False,
                   headers={"Accept": "text/html"})


def query_of(url: str) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query, keep_blank_values=True)


def newest_id(client: stripe.StripeClient, service: str) -> str | None:
    lst = getattr(client.v1, service).list({"limit": 1})
    return lst.data[0].id if lst.data else None


def events_for(base: str, object_ids: set[str], *, since: int | None = None, limit: int = 100,
               pages: int = 30) -> list[dict]:
    """Events (newest first) whose data.object is one of object_ids, or whose payment_intent is.
    since: creation time of the oldest of those objects; paging stops at older events."""
    out, after = [], None
    for _ in range(pages):
        params = {"limit": limit}
        if after:
            params["starting_after"] = after
        r = request(base, "GET", "/v1/events", params, version=ENDIVE)
        assert r.status == 200, r
        for ev in r.json["data"]:
            obj = ev.get("data", {}).get("object", {}) or {}
            if obj.get("id") in object_ids or obj.get("payment_intent") in object_ids:
                out.append(ev)
        if not r.json["has_more"] or not r.json["data"]:
            break
        if since is not None and r.json["data"][-1].get("created", since) < since - 2:
            break
        after = r.json["data"][-1]["id"]
    return out


def answer(handler, body, content_type: str) -> None:
    """A merchant test server's 200: `body` (str or bytes) as `content_type`."""
    data = body.encode() if isinstance(body, str) else body
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


# The Payment Element's and the Card Element's fields live in an iframe titled as Stripe's,
# with Stripe's ids, so these are the selectors a test written against Stripe uses.
PAYMENT_FRAME = 'iframe[title="Secure payment input frame"]'
CARD_FRAME = 'iframe[title="Secure card payment input frame"]'


def payment_frame(page):
    return page.frame_locator(PAYMENT_FRAME)


def type_card(page, number, expiry="12 / 34", cvc="123", postal="10001", *, frame=PAYMENT_FRAME):
    """Types a card into the Payment Element (or, with frame=CARD_FRAME, the Card Element);
    postal=None leaves the ZIP / postal code field alone."""
    f = page.frame_locator(frame)
    f.locator("#Field-numberInput").fill(number)
    f.locator("#Field-expiryInput").fill(expiry)
    f.locator("#Field-cvcInput").fill(cvc)
    if postal is not None:
        f.locator("#Field-postalCodeInput").fill(postal)


ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".artifacts")


def screenshots(page, name):
    """Keeps the page as it looks on a desktop and on a phone, in
    .artifacts/<name>-desktop.png and <name>-phone.png, for a person to look at."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    size = page.viewport_size
    for label, viewport in [("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 390, "height": 844})]:
        page.set_viewport_size(viewport)
        page.wait_for_timeout(150)  # the Payment Element's frame follows the new width
        page.screenshot(path=os.path.join(ARTIFACTS, f"{name}-{label}.png"), full_page=True)
    if size:
        page.set_viewport_size(size)
