'use strict';
// Webhooks through stripe-node: an endpoint created with the SDK, a handler on loopback that
// verifies each delivery with stripe.webhooks.constructEvent, as docs.stripe.com/webhooks shows.
const assert = require('node:assert/strict');
const http = require('node:http');
const {test} = require('node:test');
const {Stripe, useServers, Schema, SK} = require('./helpers');

const ctx = useServers('US');

/** A handler that records each POST (headers and raw body) and answers 200. */
function receiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({headers: req.headers, body: Buffer.concat(chunks).toString('utf8')});
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    server, got, url: `http://127.0.0.1:${server.address().port}/webhook`,
  })));
}

async function waitFor(got, n, ms = 15000) {
  const deadline = Date.now() + ms;
  while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(got.length >= n, `got ${got.length} of ${n} deliveries`);
}

test('deliveries verify with stripe.webhooks.constructEvent', async () => {
  const schema = new Schema();
  const {stripe} = ctx.US;
  const rx = await receiver();
  const endpoint = await stripe.webhookEndpoints.create({
    url: rx.url, enabled_events: ['payment_intent.succeeded'],
  });
  schema.add(endpoint, 'webhookEndpoints.create');
  assert.match(endpoint.secret, /^whsec_/);
  try {
    const pi = await stripe.paymentIntents.create({
      amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true,
      automatic_payment_methods: {enabled: true, allow_redirects: 'never'},
    });
    await waitFor(rx.got, 1);
    const {headers, body} = rx.got[0];
    const event = stripe.webhooks.constructEvent(body, headers['stripe-signature'], endpoint.secret);
    assert.equal(event.type, 'payment_intent.succeeded');
    assert.equal(event.data.object.id, pi.id);
    assert.throws(() => stripe.webhooks.constructEvent(body, headers['stripe-signature'], 'whsec_wrong'),
      Stripe.errors.StripeSignatureVerificationError);
    assert.throws(() => stripe.webhooks.constructEvent(body.replace(pi.id, 'pi_forged'),
      headers['stripe-signature'], endpoint.secret), Stripe.errors.StripeSignatureVerificationError);
    // Acknowledged once the handler's 200 is recorded, just after the handler answered.
    let stored = await stripe.events.retrieve(event.id);
    for (let i = 0; i < 100 && stored.pending_webhooks !== 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      stored = await stripe.events.retrieve(event.id);
    }
    schema.add(stored, 'events.retrieve');
    assert.equal(stored.pending_webhooks, 0);
  } finally {
    const gone = await stripe.webhookEndpoints.del(endpoint.id);
    assert.equal(gone.deleted, true);
    rx.server.close();
  }
  await schema.verify();
});

test('an endpoint pinned to an older api_version gets events in that shape; listen forwards them signed', async () => {
  const {stripe, url} = ctx.US;
  const sk = SK;
  const rx = await receiver();
  const old = await stripe.webhookEndpoints.create({
    url: rx.url, enabled_events: ['payment_intent.succeeded'], api_version: '2024-06-20',
  });
  try {
    const pi = await stripe.paymentIntents.create({
      amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true,
      automatic_payment_methods: {enabled: true, allow_redirects: 'never'},
    });
    await waitFor(rx.got, 1);
    const {headers, body} = rx.got[0];
    const event = stripe.webhooks.constructEvent(body, headers['stripe-signature'], old.secret);
    assert.equal(event.api_version, '2024-06-20');
    assert.equal(event.data.object.id, pi.id);
    assert.ok('invoice' in event.data.object && event.data.object.invoice === null,
      'PaymentIntents had `invoice` before basil');
    const recorded = await stripe.events.retrieve(event.id);
    assert.notEqual(recorded.api_version, '2024-06-20', 'the API shows the event as recorded');
  } finally {
    await stripe.webhookEndpoints.del(old.id);
    rx.server.close();
  }

  // `pasarela listen`, verified with stripe-node: the secret it prints signs what it forwards.
  const {spawn, execFileSync} = require('node:child_process');
  const fwd = await receiver();
  const listen = spawn(process.env.PASARELA_BIN,
    ['listen', '--forward-to', fwd.url, '--events', 'customer.created', '--server', url, '--api-key', sk]);
  try {
    const ready = await new Promise((resolve, reject) => {
      let out = '';
      listen.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/signing secret is (whsec_[0-9a-f]{64})/);
        if (m) resolve(m[1]);
      });
      listen.on('exit', () => reject(new Error(`listen exited: ${out}`)));
    });
    const customer = await stripe.customers.create({email: 'listen@example.com'});
    await waitFor(fwd.got, 1);
    const {headers, body} = fwd.got[0];
    const event = stripe.webhooks.constructEvent(body, headers['stripe-signature'], ready);
    assert.equal(event.type, 'customer.created');
    assert.equal(event.data.object.id, customer.id);
    const printed = execFileSync(process.env.PASARELA_BIN,
      ['listen', '--print-secret', '--server', url, '--api-key', sk]).toString().trim();
    assert.equal(printed, ready, 'the same secret on every run');
  } finally {
    listen.kill();
    fwd.server.close();
  }
});
