"""Stripe's accept-a-payment sample flows (vendored in tests/samples/accept-a-payment, MIT), run
as a developer would run them against Pasarela: the Node server and the HTML client unchanged
but for the API host (stripe-node's `host`, `port`, `protocol`) and the Stripe.js URL, applied
to copies in a temporary directory; its webhook handler fed by `pasarela listen`."""
import os
import shutil
import subprocess
import tempfile
import threading
import time
import types

from helpers import BIN, PK, REPO, SK

SAMPLES = os.path.join(REPO, "tests", "samples", "accept-a-payment")
NODE = os.path.join(REPO, "tests", "sdk", "node")
PORT = 4242  # the samples' own, fixed in their server.js


def start(pasarela_url: str, flow: str, pages: list[str], **env):
    """Starts `flow`'s Node server on port 4242 (with `env` besides the keys) with `pages` of
    its HTML client pointed at Pasarela's Stripe.js; returns (url, lines the server logged,
    stop())."""
    # The server's packages are the stripe-node suite's (express, dotenv, cors, stripe).
    subprocess.run(["bash", os.path.join(NODE, "install.sh")], check=True, timeout=600)
    tmp = tempfile.mkdtemp(prefix="pasarela-sample-")
    client = os.path.join(tmp, "client")
    shutil.copytree(os.path.join(SAMPLES, flow, "client", "html"), client)
    for page in pages:
        path = os.path.join(client, page)
        with open(path) as f:
            html = f.read()
        assert "https://js.stripe.com/v3/" in html, page
        with open(path, "w") as f:
            f.write(html.replace("https://js.stripe.com/v3/", f"{pasarela_url}/v3/"))
    with open(os.path.join(SAMPLES, flow, "server", "node", "server.js")) as f:
        server = f.read()
    host, port = pasarela_url.removeprefix("http://").split(":")
    pointed = server.replace("apiVersion: '2023-10-16',",
                             f"apiVersion: '2023-10-16', host: '{host}', port: {port}, protocol: 'http',")
    assert pointed != server
    with open(os.path.join(tmp, "server.js"), "w") as f:
        f.write(pointed)
    # Its webhook handler verifies what `pasarela listen` forwards, as with `stripe listen`.
    listen = [BIN, "listen", "--server", pasarela_url, "--api-key", SK]
    whsec = subprocess.run([*listen, "--print-secret"], capture_output=True, text=True, timeout=30).stdout.strip()
    assert whsec.startswith("whsec_")
    env = dict(os.environ, NODE_PATH=os.path.join(NODE, "node_modules"), STRIPE_SECRET_KEY=SK,
               STRIPE_PUBLISHABLE_KEY=PK, STATIC_DIR=client, STRIPE_WEBHOOK_SECRET=whsec, **env)
    proc = subprocess.Popen(["node", "server.js"], cwd=tmp, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    line = proc.stdout.readline()
    assert "listening" in line and str(PORT) in line, line
    logged = []
    threading.Thread(target=lambda: logged.extend(iter(proc.stdout.readline, "")), daemon=True).start()
    forwarder = subprocess.Popen([*listen, "--forward-to", f"localhost:{PORT}/webhook"],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert "Ready!" in forwarder.stdout.readline()

    def stop():
        forwarder.terminate()
        proc.terminate()
        forwarder.wait(timeout=10)
        proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)

    return types.SimpleNamespace(url=f"http://localhost:{PORT}", logged=logged, stop=stop)


def logged(sample, text: str, timeout: float = 15) -> bool:
    """Whether the sample's server logged a line with `text` within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in line for line in sample.logged):
            return True
        time.sleep(0.1)
    return False
