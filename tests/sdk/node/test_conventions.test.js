'use strict';
// Stripe's API conventions through stripe-node: idempotency, auto-pagination, deletion, keys,
// unknown parameters, events (docs.stripe.com/api: idempotent_requests, pagination, errors,
// authentication, events).
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const {test} = require('node:test');
const {Stripe, SK, PK, CLOVER, ENDIVE, useServers, Schema, rejectsWith, assertError} = require('./helpers');

const ctx = useServers('US');

test('Idempotency-Key: a replay returns the same object, other parameters are an idempotency_error', async () => {
  const schema = new Schema();
  const {stripe} = ctx.US;
  const idempotencyKey = `node-${crypto.randomUUID()}`;
  const first = await stripe.customers.create({email: 'jenny@example.com', name: 'Jenny Rosen'}, {idempotencyKey});
  schema.add(first, 'customers.create');
  assert.match(first.id, /^cus_[A-Za-z0-9]+$/);
  assert.notEqual(first.lastResponse.headers['idempotent-replayed'], 'true', 'the first request is no replay');

  const second = await stripe.customers.create({email: 'jenny@example.com', name: 'Jenny Rosen'}, {idempotencyKey});
  assert.equal(second.id, first.id);
  assert.equal(second.created, first.created);
  assert.equal(second.lastResponse.headers['idempotent-replayed'], 'true');
  assert.deepEqual({...second}, {...first}, 'the same body');

  const err = await rejectsWith(
    stripe.customers.create({email: 'someone-else@example.com'}, {idempotencyKey}),
    Stripe.errors.StripeIdempotencyError, 'same key, other parameters');
  assertError(err, 400, 'idempotency_error', null, null);
  assert.ok(err.message.includes(idempotencyKey), `the message names the key: ${err.message}`);

  const list = await stripe.customers.list({email: 'jenny@example.com', limit: 100});
  assert.equal(list.data.filter((c) => c.id === first.id).length, 1);
  assert.equal(list.data.length, 1, 'one customer for the key');
  const events = await stripe.events.list({type: 'customer.created', limit: 100});
  const mine = events.data.filter((e) => e.data.object.id === first.id);
  assert.equal(mine.length, 1, 'a replay records no new event');
  assert.equal(mine[0].request.idempotency_key, idempotencyKey);
  await schema.verify();
});

test('auto-pagination walks 15 customers newest first, no duplicates', async () => {
  const schema = new Schema();
  const {stripe} = ctx.US;
  const run = crypto.randomUUID();
  const made = [];
  for (let i = 0; i < 15; i++) {
    made.push(await stripe.customers.create({name: `Pager ${i}`, metadata: {run, i: String(i)}}));
  }
  const page = await stripe.customers.list({limit: 4});
  schema.add(page, 'customers.list limit=4');
  assert.equal(page.object, 'list');
  assert.equal(page.url, '/v1/customers');
  assert.equal(page.data.length, 4);
  assert.equal(page.has_more, true);
  assert.deepEqual(page.data.map((c) => c.id), made.slice(-4).reverse().map((c) => c.id), 'newest first');

  const seen = [];
  for await (const c of stripe.customers.list({limit: 4})) seen.push(c);
  const ids = seen.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, 'no customer twice');
  const mine = seen.filter((c) => c.metadata && c.metadata.run === run);
  assert.deepEqual(mine.map((c) => c.id), made.slice().reverse().map((c) => c.id), 'all 15, newest first');
  assert.deepEqual(mine.map((c) => c.metadata.i), Array.from({length: 15}, (_, k) => String(14 - k)));
  schema.add(mine[0], 'auto-paged customer');
  await schema.verify();
});

test('customers.del answers the deleted stub', async () => {
  const schema = new Schema();
  const {stripe} = ctx.US;
  const c = await stripe.customers.create({email: 'gone@example.com'});
  const deleted = await stripe.customers.del(c.id);
  schema.add(deleted, 'customers.del');
  assert.deepEqual({...deleted}, {id: c.id, object: 'customer', deleted: true});
  const again = await stripe.customers.retrieve(c.id);
  assert.equal(again.deleted, true, 'a deleted customer retrieves as the deleted stub');
  await schema.verify();
});

test('keys: a wrong secret key is a StripeAuthenticationError, a publishable key a StripePermissionError', async () => {
  const {server} = ctx.US;
  const wrong = server.stripe('sk_test_thisKeyDoesNotExist0000001234');
  const auth = await rejectsWith(wrong.customers.list(), Stripe.errors.StripeAuthenticationError, 'wrong key');
  assertError(auth, 401, 'invalid_request_error', null, null);
  assert.match(auth.message, /Invalid API Key provided/);
  assert.ok(!auth.message.includes('thisKeyDoesNotExist'), `the key is masked: ${auth.message}`);

  const pk = server.stripe(PK);
  const perm = await rejectsWith(pk.customers.list(), Stripe.errors.StripePermissionError, 'publishable key');
  assertError(perm, 403, 'invalid_request_error', 'secret_key_required', null);
  assert.match(perm.message, /publishable API key/);
});

test('an unknown parameter is a StripeInvalidRequestError naming it', async () => {
  const {stripe} = ctx.US;
  const err = await rejectsWith(stripe.customers.create({email: 'x@example.com', favourite_colour: 'blue'}),
    Stripe.errors.StripeInvalidRequestError, 'unknown parameter');
  assertError(err, 400, 'invalid_request_error', 'parameter_unknown', 'favourite_colour');
  assert.equal(err.raw.message, 'Received unknown parameter: favourite_colour');
  assert.match(err.message, /^\[req_\w+\] Received unknown parameter: favourite_colour$/, 'stripe-node 23.2 names the request');

  const nested = await rejectsWith(stripe.paymentIntents.create({
    amount: 2000, currency: 'usd', automatic_payment_methods: {enabled: true, sideways: 'yes'},
  }), Stripe.errors.StripeInvalidRequestError, 'unknown nested parameter');
  assertError(nested, 400, 'invalid_request_error', 'parameter_unknown', 'automatic_payment_methods[sideways]');
});

test('events: payment_intent.created for a new intent, rendered at the account default version', async () => {
  const schema = new Schema();
  const {stripe} = ctx.US;
  const idempotencyKey = `node-${crypto.randomUUID()}`;
  const pi = await stripe.paymentIntents.create({
    amount: 1500, currency: 'usd', automatic_payment_methods: {enabled: true, allow_redirects: 'never'},
  }, {idempotencyKey});
  const events = await stripe.events.list({limit: 100});
  schema.add(events, 'events.list', {lenient: ['.data[*].data.object']});
  assert.equal(events.lastResponse.apiVersion, ENDIVE);
  assert.ok(events.data.length > 0);
  const created = events.data.filter((e) => e.type === 'payment_intent.created' && e.data.object.id === pi.id);
  assert.equal(created.length, 1, 'one payment_intent.created for the intent');
  for (const e of events.data) {
    assert.match(e.id, /^evt_/);
    assert.equal(e.object, 'event');
    assert.equal(e.api_version, CLOVER, `${e.id} (${e.type}) is rendered at the account default`);
    assert.equal(e.livemode, false);
  }
  const evt = created[0];
  assert.equal(evt.request.id, pi.lastResponse.requestId, 'request.id names the API request that caused it');
  assert.equal(evt.request.idempotency_key, idempotencyKey);
  assert.equal(evt.data.object.object, 'payment_intent');
  assert.equal(evt.data.object.amount, 1500);
  assert.equal(evt.data.object.status, 'requires_payment_method');

  const one = await stripe.events.retrieve(evt.id);
  schema.add(one, 'events.retrieve', {lenient: ['.data.object']});
  assert.equal(one.id, evt.id);
  assert.equal(one.api_version, CLOVER);
  assert.deepEqual(one.data.object, evt.data.object);

  const filtered = await stripe.events.list({type: 'payment_intent.created', limit: 100});
  assert.ok(filtered.data.length >= 1);
  assert.ok(filtered.data.every((e) => e.type === 'payment_intent.created'));
  assert.ok(filtered.data.some((e) => e.data.object.id === pi.id));
  await schema.verify();
});
