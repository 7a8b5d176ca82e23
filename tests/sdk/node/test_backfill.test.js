'use strict';
// What sync tools do with the newest stripe-node (issue 26): a backfill that walks every list
// endpoint of Stripe's API as the SDK knows them, at the SDK's own default version, with
// auto-pagination and `created` filters, retrieving every id it meets (line items' prices and
// products included); then a webhook consumer that keeps a copy of every object from signed
// events and is compared with the API's state after creates, updates and deletes.
const assert = require('node:assert/strict');
const http = require('node:http');
const {test} = require('node:test');
const {Stripe, useServers, ENDIVE} = require('./helpers');

const ctx = useServers('US');

/** An SDK object as plain JSON, without the SDK's `lastResponse`. */
function plain(x) {
  const o = JSON.parse(JSON.stringify(x));
  delete o.lastResponse;
  return o;
}

/** Every resource of the SDK that has `list`, by its path on the client (`radar.earlyFraudWarnings`). */
function listResources(stripe) {
  const found = [];
  const seen = new Set();
  const walk = (obj, prefix, depth) => {
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      if (key.startsWith('_') || key === 'stripe' || key === 'v2' || !v || typeof v !== 'object') continue;
      if (seen.has(v) || depth > 3) continue;
      seen.add(v);
      if (typeof v.list === 'function') found.push({name: prefix + key, resource: v});
      walk(v, `${prefix}${key}.`, depth + 1);
    }
  };
  walk(stripe, '', 0);
  return found;
}

/** The `list<Thing>(id)` methods of a resource: lists under one of its objects. */
function nestedLists(resource) {
  const names = new Set();
  for (let p = Object.getPrototypeOf(resource); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) if (/^list[A-Z]/.test(n)) names.add(n);
  }
  return [...names];
}

// Lists whose Stripe parameters have no `created` (Stripe refuses it there).
const NO_CREATED = new Set(['paymentMethods', 'taxIds', 'webhookEndpoints', 'countrySpecs', 'exchangeRates',
  'setupAttempts', 'applePayDomains', 'paymentMethodDomains', 'paymentMethodConfigurations']);

async function seed(stripe) {
  const made = {customers: [], paymentIntents: [], charges: [], refunds: [], setupIntents: [], products: [],
    prices: [], checkoutSessions: []};
  for (let i = 0; i < 3; i++) {
    const customer = await stripe.customers.create({email: `sync${i}@example.com`, metadata: {n: String(i)}});
    made.customers.push(customer.id);
    const pi = await stripe.paymentIntents.create({
      amount: 1000 + i, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true,
      automatic_payment_methods: {enabled: true, allow_redirects: 'never'},
    });
    made.paymentIntents.push(pi.id);
    made.charges.push(pi.latest_charge);
    if (i === 0) made.refunds.push((await stripe.refunds.create({payment_intent: pi.id, amount: 100})).id);
    const si = await stripe.setupIntents.create({
      customer: customer.id, payment_method: 'pm_card_visa', confirm: true,
      automatic_payment_methods: {enabled: true, allow_redirects: 'never'},
    });
    made.setupIntents.push(si.id);
  }
  // One more PaymentIntent, never confirmed: no charge.
  made.paymentIntents.push((await stripe.paymentIntents.create({amount: 500, currency: 'usd'})).id);
  const product = await stripe.products.create({name: 'Mug', default_price_data: {currency: 'usd', unit_amount: 900}});
  made.products.push(product.id);
  made.prices.push(product.default_price);
  made.prices.push((await stripe.prices.create({product: product.id, currency: 'usd', unit_amount: 1500})).id);
  const session = await stripe.checkout.sessions.create({
    mode: 'payment', success_url: 'http://127.0.0.1:1/ok',
    line_items: [
      {price: product.default_price, quantity: 1},
      {quantity: 2, price_data: {currency: 'usd', unit_amount: 300, product_data: {name: 'Inline sticker'}}},
    ],
  });
  made.checkoutSessions.push(session.id);
  made.products.push('(inline)'); // the sticker's product: listed like any product
  return made;
}

test('a backfill walks every list of the SDK to its end and retrieves what it meets', async () => {
  const {stripe} = ctx.US;
  assert.equal(Stripe.API_VERSION, ENDIVE, 'the newest stripe-node pins the newest version');
  const t0 = Math.floor(Date.now() / 1000) - 1;
  const made = await seed(stripe);

  // As tools start: the account (its id) and the balance.
  const account = await stripe.accounts.retrieve();
  assert.match(account.id, /^acct_1\w{15}$/);
  assert.equal(account.lastResponse.apiVersion, ENDIVE);
  const balance = await stripe.balance.retrieve();
  assert.equal(balance.object, 'balance');
  assert.ok(balance.pending.some((b) => b.currency === 'usd' && b.amount > 0));

  const resources = listResources(stripe);
  assert.ok(resources.length >= 90, `only ${resources.length} list resources found`);
  const counts = {};
  let retrieved = 0;
  let nestedWalked = 0;
  const listed = {};
  for (const {name, resource} of resources) {
    // Setup attempts are listed per SetupIntent (Stripe requires `setup_intent`): below.
    if (name === 'setupAttempts') continue;
    const params = {limit: 100};
    if (!NO_CREATED.has(name)) params.created = {gte: t0};
    const items = await resource.list(params).autoPagingToArray({limit: 10000});
    counts[name] = items.length;
    listed[name] = items;
    for (const item of items) {
      assert.ok(item.id, `${name}: an item without id`);
      if (typeof resource.retrieve === 'function' && name !== 'accounts') {
        const again = await resource.retrieve(item.id);
        assert.deepEqual(plain(again), plain(item),
          `${name}: retrieve(${item.id}) differs from the list's item`);
        retrieved++;
      }
      for (const nested of nestedLists(resource)) {
        const rows = await resource[nested](item.id, {limit: 100}).autoPagingToArray({limit: 10000});
        nestedWalked++;
        for (const row of rows) {
          // A line item names its price and product: both retrievable by id.
          if (row.object === 'item' && row.price) {
            const price = await stripe.prices.retrieve(row.price.id);
            assert.deepEqual(plain(price), plain(row.price));
            const product = await stripe.products.retrieve(price.product);
            assert.equal(product.id, price.product);
            retrieved += 2;
          }
        }
      }
    }
  }
  let attempts = 0;
  for (const si of listed.setupIntents) {
    const rows = await stripe.setupAttempts.list({setup_intent: si.id, limit: 100, created: {gte: t0}})
      .autoPagingToArray({limit: 1000});
    assert.ok(rows.every((a) => a.setup_intent === si.id));
    attempts += rows.length;
  }
  assert.equal(attempts, made.setupIntents.length, 'one attempt per confirmed SetupIntent');
  // The counts equal what was made; everything Pasarela does not hold is an empty list.
  assert.equal(counts.customers, made.customers.length);
  assert.equal(counts.paymentIntents, made.paymentIntents.length);
  assert.equal(counts.charges, made.charges.length);
  assert.equal(counts.refunds, made.refunds.length);
  assert.equal(counts.setupIntents, made.setupIntents.length);
  assert.equal(counts['checkout.sessions'], made.checkoutSessions.length);
  assert.equal(counts.products, made.products.length);
  assert.equal(counts.prices, made.prices.length, 'inline prices are not listed');
  assert.equal(counts.balanceTransactions, made.charges.length + made.refunds.length);
  for (const name of ['plans', 'invoices', 'subscriptions', 'subscriptionSchedules', 'disputes', 'taxIds',
    'creditNotes', 'radar.earlyFraudWarnings', 'coupons', 'payouts']) {
    assert.equal(counts[name], 0, name);
  }
  assert.ok(counts.events > 20, `events: ${counts.events}`);
  assert.ok(retrieved > 40 && nestedWalked > 10, `retrieved ${retrieved}, nested lists ${nestedWalked}`);
});

/** A webhook handler that verifies each delivery and keeps the newest copy of each object. */
function consumer(stripe, secretOf) {
  const copies = new Map();
  const seen = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let event;
      try {
        event = stripe.webhooks.constructEvent(Buffer.concat(chunks), req.headers['stripe-signature'], secretOf());
      } catch (e) {
        res.writeHead(400).end(String(e.message));
        return;
      }
      seen.push(event.type);
      const obj = event.data.object;
      const mine = copies.get(obj.id);
      // Last write wins by the event's time, as such tools apply them.
      if (!mine || mine.at <= event.created) {
        copies.set(obj.id, {at: event.created, deleted: event.type.endsWith('.deleted'), object: obj});
      }
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    server, copies, seen, url: `http://127.0.0.1:${server.address().port}/stripe/webhook`,
  })));
}

test('a webhook consumer keeps the same state as the API', async () => {
  const {stripe} = ctx.US;
  let secret = null;
  const rx = await consumer(stripe, () => secret);
  const endpoint = await stripe.webhookEndpoints.create({url: rx.url, enabled_events: ['*'], api_version: ENDIVE});
  secret = endpoint.secret;
  try {
    const customer = await stripe.customers.create({email: 'keep@example.com'});
    await stripe.customers.update(customer.id, {name: 'Kept', metadata: {plan: 'gold'}});
    const gone = await stripe.customers.create({email: 'gone@example.com'});
    await stripe.customers.del(gone.id);
    const product = await stripe.products.create({name: 'Plant', default_price_data: {currency: 'usd', unit_amount: 2500}});
    await stripe.products.update(product.id, {description: 'green'});
    const price = await stripe.prices.create({product: product.id, currency: 'usd', unit_amount: 3000});
    await stripe.prices.update(price.id, {nickname: 'large', metadata: {size: 'l'}});
    const dropped = await stripe.products.create({name: 'Dropped'});
    await stripe.products.del(dropped.id);
    const pi = await stripe.paymentIntents.create({
      amount: 4200, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true,
      automatic_payment_methods: {enabled: true, allow_redirects: 'never'},
    });
    const refund = await stripe.refunds.create({payment_intent: pi.id, amount: 200});
    const si = await stripe.setupIntents.create({
      customer: customer.id, payment_method: 'pm_card_visa', confirm: true,
      automatic_payment_methods: {enabled: true, allow_redirects: 'never'},
    });
    const session = await stripe.checkout.sessions.create({
      mode: 'payment', success_url: 'http://127.0.0.1:1/ok',
      line_items: [{quantity: 1, price_data: {currency: 'usd', unit_amount: 700, product_data: {name: 'Card'}}}],
    });
    await stripe.checkout.sessions.expire(session.id);

    // Wait until every event made is delivered (none owed).
    const deadline = Date.now() + 30000;
    let owed = -1;
    while (Date.now() < deadline) {
      const events = await stripe.events.list({limit: 100}).autoPagingToArray({limit: 1000});
      owed = events.filter((e) => e.pending_webhooks > 0).length;
      if (owed === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(owed, 0, 'every event delivered');

    const kinds = new Set(rx.seen.map((t) => t.split('.').slice(0, -1).join('.')));
    for (const k of ['customer', 'product', 'price', 'payment_intent', 'charge', 'refund', 'setup_intent',
      'payment_method', 'checkout.session']) {
      assert.ok(kinds.has(k), `no ${k} event among ${[...kinds]}`);
    }
    const retrieve = {
      customer: (id) => stripe.customers.retrieve(id),
      product: (id) => stripe.products.retrieve(id),
      price: (id) => stripe.prices.retrieve(id),
      payment_intent: (id) => stripe.paymentIntents.retrieve(id),
      charge: (id) => stripe.charges.retrieve(id),
      refund: (id) => stripe.refunds.retrieve(id),
      setup_intent: (id) => stripe.setupIntents.retrieve(id),
      payment_method: (id) => stripe.paymentMethods.retrieve(id),
      'checkout.session': (id) => stripe.checkout.sessions.retrieve(id),
      mandate: (id) => stripe.mandates.retrieve(id),
    };
    let compared = 0;
    for (const [id, copy] of rx.copies) {
      const get = retrieve[copy.object.object];
      assert.ok(get, `an event about a ${copy.object.object}, which this consumer cannot check`);
      const now = plain(await get(id));
      if (copy.deleted && (copy.object.object === 'customer')) {
        assert.equal(now.deleted, true, `${id} deleted`);
      } else if (copy.deleted) {
        // A deleted product: its copy is marked deleted, the API says so too.
        assert.equal(now.deleted, true, `${id} deleted`);
      } else {
        assert.deepEqual(now, copy.object, `${copy.object.object} ${id}: the consumer's copy differs from the API`);
      }
      compared++;
    }
    for (const id of [customer.id, gone.id, product.id, price.id, dropped.id, pi.id, pi.latest_charge, refund.id,
      si.id, session.id]) {
      assert.ok(rx.copies.has(id), `no event carried ${id}`);
    }
    assert.ok(compared >= 12, `compared ${compared}`);
  } finally {
    await stripe.webhookEndpoints.del(endpoint.id);
    rx.server.close();
  }
});
