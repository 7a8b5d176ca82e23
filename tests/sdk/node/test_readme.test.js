'use strict';
// The README's Node snippet, run as printed (but for the port) with the newest stripe-node.
const assert = require('node:assert/strict');
const {execFile} = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const {test} = require('node:test');
const {REPO, useServers} = require('./helpers');

const ctx = useServers('US');

/** The fenced block of `lang` that follows `heading` in README.md. */
function readmeBlock(heading, lang) {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section);
  assert.ok(m, `no ${lang} block after ${heading}`);
  return m[1];
}

test("the README's Node snippet runs as printed", async () => {
  const code = readmeBlock('## Pointing the SDKs at it', 'js');
  assert.match(code, /port: 4111/);
  // Beside node_modules, so that `import 'stripe'` finds the SDK as in a user's project.
  const file = path.join(__dirname, `.readme-${process.pid}.mjs`);
  fs.writeFileSync(file, code.replace('port: 4111', `port: ${ctx.US.server.port}`));
  try {
    const out = await new Promise((resolve, reject) => execFile(process.execPath, [file], {timeout: 30000},
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))));
    assert.match(out.trim(), /^pi_\w+ requires_payment_method$/);
  } finally {
    fs.rmSync(file, {force: true});
  }
});
