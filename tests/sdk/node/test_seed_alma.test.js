'use strict';
// Seed 004 (docs.stripe.com/payments/alma, "Accepter un paiement avec Alma"): 5099 eur on a
// French account; Alma needs an account in FR, IT, ES, NL, BE or LU, eur, 50-5 000 EUR.
const assert = require('node:assert/strict');
const {test} = require('node:test');
const {SK, useServers, http, Schema, assertError} = require('./helpers');
const {defineSeedFlow, seedCurlCreate} = require('./seedflow');

const ctx = useServers('US', 'FR');

defineSeedFlow(ctx, {
  country: 'FR',
  type: 'alma',
  label: 'Alma',
  amount: 5099,
  currency: 'eur',
  amountText: /50[.,]99/,
});

test('alma: an explicit payment_method_types list is refused on a US account (clover)', async () => {
  const {stripe, url} = ctx.US;
  const before = await stripe.paymentIntents.list({limit: 100});
  const res = await seedCurlCreate(url, {type: 'alma', amount: 5099, currency: 'eur'});
  assertError(res, 400, 'invalid_request_error', null, 'payment_method_types');
  assert.match(res.json.error.message, /payment_method_types|alma/i);
  const after = await stripe.paymentIntents.list({limit: 100});
  assert.equal(after.data.length, before.data.length, 'no intent was created');
});

test('alma: dropped silently from allowed_payment_method_types on a US account', async () => {
  const schema = new Schema();
  const {stripe} = ctx.US;
  const pi = await stripe.paymentIntents.create({
    amount: 5099, currency: 'eur', allowed_payment_method_types: ['alma', 'card'],
  });
  schema.add(pi, 'paymentIntents.create (US, alma+card)');
  assert.deepEqual(pi.payment_method_types, ['card']);
  assert.deepEqual(pi.allowed_payment_method_types, ['alma', 'card'], 'the given list is echoed');
  assert.equal(pi.status, 'requires_payment_method');
  await schema.verify();
});

test('alma: dropped silently above 5 000 EUR, refused in an explicit list with another currency', async () => {
  const schema = new Schema();
  const {stripe, url} = ctx.FR;
  const big = await stripe.paymentIntents.create({
    amount: 600000, currency: 'eur', allowed_payment_method_types: ['alma', 'card'],
  });
  schema.add(big, 'paymentIntents.create (FR, 6000 eur)');
  assert.deepEqual(big.payment_method_types, ['card'], 'Alma takes 50-5 000 EUR');

  const usd = await http('POST', `${url}/v1/payment_intents`, {
    auth: SK, form: 'payment_method_types[]=alma&amount=5099&currency=usd',
  });
  assertError(usd, 400, 'invalid_request_error', null, 'payment_method_types');
  await schema.verify();
});
