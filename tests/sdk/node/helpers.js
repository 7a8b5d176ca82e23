'use strict';
// Shared machinery for the stripe-node conformance suite.
//
// - useServers(): starts the real `pasarela` binary once per test file (before/after hooks),
//   on a port the system picks (`--listen 127.0.0.1:0`, the port read from the first line the
//   server prints) with a fresh temp dir and SQLite database, and hands out stripe-node
//   clients pointed at it.
// - http(): raw HTTP with fetch() for what the seeds do with curl or Stripe.js (never follows
//   redirects).
// - Schema: every JSON body a test receives is checked against Stripe's object descriptions by
//   tests/schema/check.py (which reads one or more bodies and exits 1 on a problem).
//
// Environment:
//   PASARELA_BIN           the binary (run.sh builds it and sets this)
//   PASARELA_SCHEMA_CHECK  "strict" (default) or "warn" (print schema problems, do not fail)

const assert = require('node:assert/strict');
const {spawn, execFile} = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {before, after} = require('node:test');
const Stripe = require('stripe');

const HERE = __dirname;
const REPO = path.resolve(HERE, '..', '..', '..');
const BIN = process.env.PASARELA_BIN ||
  path.join(path.resolve(REPO, process.env.CARGO_TARGET_DIR || 'target'), 'release', 'pasarela');
const CHECK_PY = path.join(REPO, 'tests', 'schema', 'check.py');
const PYTHON = process.env.PYTHON || 'python3';

const SK = 'sk_test_BQokikJOvBiI2HlWgH4olfQ2';
const PK = 'pk_test_TYooMQauvdEDq54NiTphI7jx';
const ENDIVE = '2026-11-18.endive'; // what stripe-node 23.2.0 pins
const CLOVER = '2025-09-30.clover'; // the account default (contract)

// ------------------------------------------------------------------------------------------
// the server
// ------------------------------------------------------------------------------------------
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const LISTENING = /^Pasarela listening on (http:\/\/127\.0\.0\.1:(\d+)) \(public URL (\S+)\)/;

class Server {
  constructor(country = 'US', extraArgs = []) {
    this.country = country;
    this.extraArgs = extraArgs;
    this.proc = null;
    this.exitCode = undefined;
  }

  async start(timeoutMs = 15000) {
    if (!fs.existsSync(BIN)) throw new Error(`pasarela binary not found at ${BIN} (set PASARELA_BIN)`);
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `pasarela-node-${this.country.toLowerCase()}-`));
    this.logPath = path.join(this.dir, 'server.log');
    const log = fs.openSync(this.logPath, 'a');
    const args = [
      'serve',
      '--listen', '127.0.0.1:0',
      '--database-url', `sqlite:${this.dir}/p.db`,
      '--secret-key', SK,
      '--publishable-key', PK,
      '--country', this.country,
      ...this.extraArgs,
    ];
    this.proc = spawn(BIN, args, {stdio: ['ignore', 'pipe', log]});
    fs.closeSync(log);
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exitCode = code === null ? signal : code;
        resolve(this.exitCode);
      });
    });
    // Everything the server prints goes to the log; its first line says where it listens.
    const firstLine = new Promise((resolve) => {
      let buf = '';
      let told = false;
      this.proc.stdout.on('data', (chunk) => {
        fs.appendFileSync(this.logPath, chunk);
        if (told) return;
        buf += chunk.toString('utf8');
        const nl = buf.indexOf('\n');
        if (nl >= 0) {
          told = true;
          resolve(buf.slice(0, nl));
        }
      });
      this.proc.stdout.on('end', () => { if (!told) resolve(null); });
    });
    const deadline = Date.now() + timeoutMs;
    let timer;
    const line = await Promise.race([firstLine, new Promise((r) => { timer = setTimeout(() => r(undefined), timeoutMs); })]);
    clearTimeout(timer);
    if (line === undefined) {
      await this.stop();
      throw new Error(`pasarela printed nothing within ${timeoutMs} ms:\n${this.logTail()}`);
    }
    if (line === null) {
      await this.exited;
      throw new Error(`pasarela exited with ${this.exitCode} at start:\n${this.logTail()}`);
    }
    const m = LISTENING.exec(line);
    if (!m) {
      await this.stop();
      throw new Error(`pasarela's first line does not say where it listens: ${JSON.stringify(line)}`);
    }
    this.url = m[1];
    this.port = Number(m[2]);
    // The hosted pages' links are built from the public URL, derived from the bound port.
    assert.equal(m[3], this.url, 'the public URL is the listening address');
    while (Date.now() < deadline) {
      if (this.exitCode !== undefined) {
        throw new Error(`pasarela exited with ${this.exitCode} at start:\n${this.logTail()}`);
      }
      try {
        const res = await fetch(`${this.url}/healthz`, {signal: AbortSignal.timeout(1000)});
        await res.arrayBuffer();
        if (res.status === 200) return this;
      } catch (_) {
        // not answering yet
      }
      await sleep(50);
    }
    await this.stop();
    throw new Error(`pasarela did not answer /healthz within ${timeoutMs} ms:\n${this.logTail()}`);
  }

  async stop(timeoutMs = 10000) {
    if (!this.proc) return undefined;
    if (this.exitCode === undefined) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    if (!process.env.PASARELA_KEEP_TMP) fs.rmSync(this.dir, {recursive: true, force: true});
    return this.exitCode;
  }

  logTail(n = 40) {
    try {
      return fs.readFileSync(this.logPath, 'utf8').split('\n').slice(-n).join('\n');
    } catch (_) {
      return '(no log)';
    }
  }

  /** stripe-node as a user of today's SDK writes it (pinned 2026-11-18.endive). */
  stripe(key = SK, options = {}) {
    return new Stripe(key, {
      host: '127.0.0.1',
      port: this.port,
      protocol: 'http',
      maxNetworkRetries: 0,
      telemetry: false,
      ...options,
    });
  }
}

/**
 * Starts one server per country for the current test file (before hook), stops them after.
 * Returns an object filled in by the hook: {US: {server, stripe, url}, FR: {...}}.
 */
function useServers(...countries) {
  const ctx = {};
  before(async () => {
    await Promise.all(countries.map(async (country) => {
      const server = await new Server(country).start();
      ctx[country] = {server, url: server.url, stripe: server.stripe()};
    }));
  });
  after(async () => {
    await Promise.all(Object.values(ctx).map(async ({server}) => {
      const code = await server.stop();
      // SIGTERM drains and exits 0 (contract)
      assert.equal(code, 0, `pasarela (${server.country}) exited with ${code} on SIGTERM`);
    }));
  });
  return ctx;
}

// ------------------------------------------------------------------------------------------
// raw HTTP (curl / Stripe.js / browser)
// ------------------------------------------------------------------------------------------
/** Form-encodes [[k, v], ...] or {k: v} exactly as given (brackets raw, like curl -d). */
function form(pairs) {
  const entries = Array.isArray(pairs) ? pairs : Object.entries(pairs);
  return entries
    .map(([k, v]) => `${encodeURIComponent(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeURIComponent(v)}`)
    .join('&');
}

const basic = (key) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

/**
 * fetch() without following redirects. opts: {form, auth (key for Basic auth), headers}.
 * Returns {status, headers, text, json}.
 */
async function http(method, url, opts = {}) {
  const headers = {...(opts.headers || {})};
  let body;
  if (opts.form !== undefined) {
    body = typeof opts.form === 'string' ? opts.form : form(opts.form);
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  if (opts.auth) headers.Authorization = basic(opts.auth);
  const res = await fetch(url, {method, headers, body, redirect: 'manual'});
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch (_) {
    json = undefined;
  }
  return {status: res.status, headers: res.headers, text, json};
}

function decodeEntities(s) {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

function attr(tag, name) {
  const m = tag.match(new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i'));
  if (!m) return undefined;
  return decodeEntities(m[1] ?? m[2] ?? m[3]);
}

/** The <form>s of an HTML page: [{method, action, fields: [[name, value]], html}]. */
function parseForms(html) {
  const forms = [];
  const re = /<form\b([^>]*)>([\s\S]*?)<\/form>/gi;
  let m;
  while ((m = re.exec(html))) {
    const open = `<form${m[1]}>`;
    const fields = [];
    const inputs = m[2].match(/<(input|button)\b[^>]*>/gi) || [];
    for (const tag of inputs) {
      const name = attr(tag, 'name');
      if (name === undefined) continue;
      const type = (attr(tag, 'type') || '').toLowerCase();
      if (tag.toLowerCase().startsWith('<input') && (type === 'checkbox' || type === 'radio')) {
        if (!/\schecked\b/i.test(tag)) continue;
      }
      fields.push([name, attr(tag, 'value') ?? '']);
    }
    forms.push({method: (attr(open, 'method') || 'get').toLowerCase(), action: attr(open, 'action'), fields, html: m[0]});
  }
  return forms;
}

/**
 * Opens a hosted test authorization page and submits the form whose `outcome` is `outcome`
 * (as a browser would: the form's own fields, to its action resolved against the page URL).
 */
async function submitHostedPage(pageUrl, outcome) {
  const page = await http('GET', pageUrl);
  assert.equal(page.status, 200, `GET hosted page ${pageUrl}: ${page.status}`);
  const forms = parseForms(page.text);
  const f = forms.find((x) => x.fields.some(([k, v]) => k === 'outcome' && v === outcome));
  assert.ok(f, `hosted page has no form with outcome=${outcome}:\n${page.text.slice(0, 2000)}`);
  assert.equal(f.method, 'post', `the ${outcome} form must be <form method="post">`);
  const target = new URL(f.action || pageUrl, pageUrl).toString();
  const fields = f.fields.filter(([k, v]) => k !== 'outcome' || v === outcome);
  return {page, response: await http('POST', target, {form: fields})};
}

// ------------------------------------------------------------------------------------------
// schema checks
// ------------------------------------------------------------------------------------------
/** The JSON the SDK received, without stripe-node's `lastResponse`. */
function raw(obj) {
  const data = JSON.parse(JSON.stringify(obj));
  if (data && typeof data === 'object') delete data.lastResponse;
  return data;
}

/**
 * Runs check.py on files: {code: 0, out: ''} or {code: 1, out: one line per problem}.
 * options: check.py's own, before the files (`--version V --additive`).
 */
function runCheck(files, options = []) {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [CHECK_PY, ...options, ...files], {maxBuffer: 16 * 1024 * 1024}, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : String(err.code || err.signal)) : 0;
      const out = stdout.trim();
      // Anything else (a crash, a missing objects.json) must not pass as "no problems".
      if (stderr.trim() || !((code === 0 && !out) || (code === 1 && out))) {
        reject(new Error(`tests/schema/check.py did not run cleanly (exit ${code}):\n${stderr}${stdout}`));
      } else {
        resolve({code, out});
      }
    });
  });
}

const VERSION_DEPENDENT = /missing \(Stripe always sends it|not a field of this object/;

let tmpSeq = 0;
let tmpDir;
function writeBody(body) {
  if (!tmpDir) tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pasarela-node-schema-'));
  const file = path.join(tmpDir, `${process.pid}-${++tmpSeq}.json`);
  fs.writeFileSync(file, JSON.stringify(body));
  return file;
}
process.on('exit', () => {
  if (tmpDir) fs.rmSync(tmpDir, {recursive: true, force: true});
});

/**
 * Collects bodies for one test and checks them in one check.py run.
 *   schema.add(body, 'label')                       endive body: check.py must exit 0
 *   schema.add(body, 'label', {lenient: ['.data.object']})
 *       problems at these paths that only concern the field set (missing / extra fields) are
 *       ignored: event payloads rendered at the account's default version (clover).
 *   schema.add(body, 'label', {version: CLOVER})     a body rendered at another version or the
 *       publishable-key view: held to types / enums / nullability only, not the field set.
 *   await schema.verify()                           fails the test on any problem
 */
class Schema {
  constructor() {
    this.items = [];
  }

  add(body, label, opts = {}) {
    this.items.push({body: raw(body), label, opts});
    return body;
  }

  async verify() {
    const items = this.items;
    this.items = [];
    if (!items.length) return;
    const strict = items.filter((i) => !i.opts.lenient && !i.opts.version);
    const lenient = items.filter((i) => i.opts.lenient || i.opts.version);
    const report = [];
    const stricts = strict.map((i) => ({...i, file: writeBody(i.body)}));
    if (stricts.length) {
      const all = await runCheck(stricts.map((i) => i.file));
      if (all.code !== 0) {
        // attribute the problems to bodies
        for (const i of stricts) {
          const one = await runCheck([i.file]);
          if (one.code !== 0) report.push(`${i.label} (${i.body && i.body.object}):\n    ${one.out.split('\n').join('\n    ')}`);
        }
        if (!report.length) report.push(`check.py exited ${all.code}:\n${all.out}`);
      }
    }
    for (const i of lenient) {
      const one = await runCheck([writeBody(i.body)]);
      if (one.code === 0) continue;
      const problems = one.out.split('\n').filter((line) => {
        if (!line.trim()) return false;
        if (!VERSION_DEPENDENT.test(line)) return true;
        if (i.opts.version) return false;
        const p = line.split(':', 1)[0];
        return !i.opts.lenient.some((prefix) => {
          // prefix may contain [*] for any list index
          const re = new RegExp(`^${prefix.replace(/[.]/g, '\\.').replace(/\[\*\]/g, '\\[\\d+\\]')}(?:$|[.[])`);
          return re.test(p);
        });
      });
      if (problems.length) report.push(`${i.label} (${i.body && i.body.object}, checked leniently):\n    ${problems.join('\n    ')}`);
    }
    if (report.length) {
      const text = `responses that do not match Stripe's object descriptions (tests/schema/check.py):\n${report.join('\n')}`;
      if (process.env.PASARELA_SCHEMA_CHECK === 'warn') console.log(text);
      else assert.fail(text);
    }
  }
}

/**
 * The problems check.py finds in one body rendered at `version` (the Stripe-Version that served
 * it, as `lastResponse.apiVersion` or the response header says): [] when it conforms.
 *
 * - endive: objects.json as it is.
 * - an older version with a schema of its own (tests/schema/versions/<version>.json): check.py
 *   `--version <version> --additive`, that version's shape plus what Stripe added since (as
 *   helpers.py's schema_problems does); every problem counts.
 * - any other version (2024-06-20 ... dahlia): objects.json, where only the field set may differ
 *   (`missing` / `not a field`) and values renamed since (Checkout's `ui_mode`); types, enums
 *   and nullability still count.
 *
 * Calls made in the same turn of the event loop are checked in one check.py run per version
 * (and, when that run finds problems, once per body to say which).
 */
function checkShape(body, version) {
  return new Promise((resolve, reject) => {
    if (!shapeQueue.length) setImmediate(flushShapes);
    shapeQueue.push({body: raw(body), version, resolve, reject});
  });
}

let shapeQueue = [];

const SCHEMA_VERSIONS = path.join(REPO, 'tests', 'schema', 'versions');
const hasOwnSchema = (version) => Boolean(version) && fs.existsSync(path.join(SCHEMA_VERSIONS, `${version}.json`));

// Against the newest schema, what may differ at another version: the field set, and values
// renamed since (Checkout's `ui_mode`, dahlia).
const RENAMED = /^\.ui_mode: .* is not one of/;

function keepProblem(line, version) {
  if (!line.trim()) return false;
  if (version === ENDIVE || hasOwnSchema(version)) return true;
  return !VERSION_DEPENDENT.test(line) && !RENAMED.test(line);
}

async function flushShapes() {
  const queue = shapeQueue;
  shapeQueue = [];
  const byVersion = new Map();
  for (const item of queue) {
    if (!byVersion.has(item.version)) byVersion.set(item.version, []);
    byVersion.get(item.version).push({...item, file: writeBody(item.body)});
  }
  await Promise.all([...byVersion].map(async ([version, items]) => {
    const options = hasOwnSchema(version) ? ['--version', version, '--additive'] : [];
    try {
      const all = await runCheck(items.map((i) => i.file), options);
      if (all.code === 0) {
        items.forEach((i) => i.resolve([]));
        return;
      }
      for (const i of items) {
        const one = await runCheck([i.file], options);
        i.resolve(one.out.split('\n').filter((line) => keepProblem(line, version)));
      }
    } catch (err) {
      items.forEach((i) => i.reject(err));
    }
  }));
}

/**
 * An error answer, a stripe-node error or an http() result: its HTTP status and the error's
 * `type`, `code` and `param` (null: the field is absent, as Stripe leaves it out). Returns the
 * raw error object.
 */
function assertError(x, status, type, code, param) {
  const isSdkError = x instanceof Stripe.errors.StripeError;
  const gotStatus = isSdkError ? x.statusCode : x.status;
  const raw = isSdkError ? x.raw : x.json && x.json.error;
  assert.ok(raw && typeof raw === 'object', `not an error answer: ${isSdkError ? x.message : x.text}`);
  const got = [gotStatus, raw.type ?? null, raw.code ?? null, raw.param ?? null];
  assert.deepEqual(got, [status, type, code, param],
    `(status, type, code, param): ${JSON.stringify(got)}, message ${JSON.stringify(raw.message)}`);
  return raw;
}

/** Asserts that `promise` rejects with an instance of `cls`; returns the error. */
async function rejectsWith(promise, cls, what = '') {
  try {
    const value = await promise;
    assert.fail(`${what} expected ${cls.name}, but the call succeeded: ${JSON.stringify(raw(value)).slice(0, 500)}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    assert.ok(err instanceof cls,
      `${what} expected ${cls.name}, got ${err && err.constructor && err.constructor.name} ` +
      `(status ${err && err.statusCode}): ${err && err.message}`);
    return err;
  }
}

module.exports = {
  BIN, REPO, SK, PK, ENDIVE, CLOVER, Stripe,
  Server, useServers, http, form, basic, parseForms, submitHostedPage, raw, Schema, checkShape, rejectsWith,
  assertError,
};
