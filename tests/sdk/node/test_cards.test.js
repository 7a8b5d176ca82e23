'use strict';
// Stripe's test PaymentMethods through stripe-node (docs.stripe.com/testing): success, a decline,
// manual capture with a partial amount, cancel, and the wrong-state error.
const assert = require('node:assert/strict');
const {test} = require('node:test');
const {Stripe, useServers, Schema, rejectsWith, assertError} = require('./helpers');

const ctx = useServers('US');
const NO_REDIRECTS = {enabled: true, allow_redirects: 'never'};

test('pm_card_visa, confirm=true: succeeded with a captured card charge', async () => {
  const schema = new Schema();
  const {stripe} = ctx.US;
  const pi = await stripe.paymentIntents.create({
    amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true,
    automatic_payment_methods: NO_REDIRECTS,
  });
  schema.add(pi, 'paymentIntents.create confirm=true');
  assert.equal(pi.status, 'succeeded');
  assert.equal(pi.amount, 2000);
  assert.equal(pi.amount_received, 2000);
  assert.equal(pi.amount_capturable, 0);
  assert.deepEqual(pi.automatic_payment_methods, NO_REDIRECTS);
  assert.ok(pi.payment_method_types.includes('card'), `payment_method_types ${pi.payment_method_types}`);
  assert.match(pi.payment_method, /^pm_/);
  assert.equal(pi.last_payment_error, null);
  assert.equal(pi.next_action, null);
  assert.equal(typeof pi.latest_charge, 'string');
  assert.match(pi.latest_charge, /^ch_/);

  const charge = await stripe.charges.retrieve(pi.latest_charge);
  schema.add(charge, 'charges.retrieve');
  assert.equal(charge.status, 'succeeded');
  assert.equal(charge.paid, true);
  assert.equal(charge.captured, true);
  assert.equal(charge.amount, 2000);
  assert.equal(charge.amount_captured, 2000);
  assert.equal(charge.payment_intent, pi.id);
  assert.equal(charge.payment_method, pi.payment_method);
  assert.equal(charge.payment_method_details.type, 'card');
  assert.equal(charge.payment_method_details.card.brand, 'visa');
  assert.equal(charge.payment_method_details.card.last4, '4242');
  assert.equal(charge.outcome.type, 'authorized');
  assert.equal(charge.outcome.network_status, 'approved_by_network');
  await schema.verify();
});

test('pm_card_chargeDeclined: StripeCardError card_declined / generic_decline', async () => {
  const schema = new Schema();
  const {stripe} = ctx.US;
  const err = await rejectsWith(stripe.paymentIntents.create({
    amount: 2000, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true,
    automatic_payment_methods: NO_REDIRECTS,
  }), Stripe.errors.StripeCardError, 'decline');
  assert.equal(err.type, 'StripeCardError');
  assertError(err, 402, 'card_error', 'card_declined', null);
  assert.equal(err.decline_code, 'generic_decline');
  assert.equal(err.raw.message, 'Your card was declined.'); // stripe-node 23.2 prefixes [req_…] to err.message
  assert.match(err.charge || '', /^ch_/, 'a declined charge is named in the error');
  const pi = err.raw.payment_intent;
  assert.ok(pi, 'the error carries the PaymentIntent');
  schema.add(pi, 'error.payment_intent');
  assert.equal(pi.status, 'requires_payment_method');
  assert.equal(pi.payment_method, null);
  assert.equal(pi.amount_received, 0);
  assert.equal(pi.last_payment_error.code, 'card_declined');
  assert.equal(pi.last_payment_error.decline_code, 'generic_decline');
  assert.equal(pi.last_payment_error.type, 'card_error');
  assert.equal(pi.last_payment_error.payment_method.type, 'card');
  assert.equal(pi.last_payment_error.payment_method_type, 'card');

  const charge = await stripe.charges.retrieve(err.charge);
  schema.add(charge, 'charges.retrieve (declined)');
  assert.equal(charge.status, 'failed');
  assert.equal(charge.paid, false);
  assert.equal(charge.captured, false);
  assert.equal(charge.failure_code, 'card_declined');
  assert.equal(charge.outcome.type, 'issuer_declined');
  assert.equal(charge.outcome.reason, 'generic_decline');

  const again = await stripe.paymentIntents.retrieve(pi.id);
  assert.equal(again.status, 'requires_payment_method');
  assert.equal(again.latest_charge, err.charge);
  await schema.verify();
});

test('manual capture: requires_capture, partial amount_to_capture, then wrong-state capture', async () => {
  const schema = new Schema();
  const {stripe} = ctx.US;
  const pi = await stripe.paymentIntents.create({
    amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true,
    capture_method: 'manual', automatic_payment_methods: NO_REDIRECTS,
  });
  schema.add(pi, 'paymentIntents.create manual');
  assert.equal(pi.status, 'requires_capture');
  assert.equal(pi.capture_method, 'manual');
  assert.equal(pi.amount_capturable, 2000);
  assert.equal(pi.amount_received, 0);
  const held = await stripe.charges.retrieve(pi.latest_charge);
  assert.equal(held.status, 'succeeded');
  assert.equal(held.captured, false);
  assert.equal(held.amount_captured, 0);

  const captured = await stripe.paymentIntents.capture(pi.id, {amount_to_capture: 1500});
  schema.add(captured, 'paymentIntents.capture');
  assert.equal(captured.status, 'succeeded');
  assert.equal(captured.amount, 2000);
  assert.equal(captured.amount_received, 1500);
  assert.equal(captured.amount_capturable, 0);
  const charge = await stripe.charges.retrieve(captured.latest_charge);
  schema.add(charge, 'charges.retrieve (captured)');
  assert.equal(charge.captured, true);
  assert.equal(charge.amount_captured, 1500);

  const err = await rejectsWith(stripe.paymentIntents.capture(pi.id), Stripe.errors.StripeInvalidRequestError,
    'capturing a succeeded intent');
  assertError(err, 400, 'invalid_request_error', 'payment_intent_unexpected_state', null);
  assert.ok(err.raw.payment_intent, 'the wrong-state error carries the PaymentIntent');
  assert.equal(err.raw.payment_intent.id, pi.id);
  assert.equal(err.raw.payment_intent.status, 'succeeded');
  await schema.verify();
});

test('cancel: from requires_payment_method and from requires_capture; not twice', async () => {
  const schema = new Schema();
  const {stripe} = ctx.US;
  const open = await stripe.paymentIntents.create({amount: 2000, currency: 'usd', automatic_payment_methods: NO_REDIRECTS});
  assert.equal(open.status, 'requires_payment_method');
  const canceled = await stripe.paymentIntents.cancel(open.id, {cancellation_reason: 'requested_by_customer'});
  schema.add(canceled, 'paymentIntents.cancel');
  assert.equal(canceled.status, 'canceled');
  assert.equal(canceled.cancellation_reason, 'requested_by_customer');
  assert.equal(typeof canceled.canceled_at, 'number');
  assert.ok(canceled.canceled_at >= open.created);

  const held = await stripe.paymentIntents.create({
    amount: 3000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true,
    capture_method: 'manual', automatic_payment_methods: NO_REDIRECTS,
  });
  assert.equal(held.status, 'requires_capture');
  const released = await stripe.paymentIntents.cancel(held.id);
  schema.add(released, 'paymentIntents.cancel (requires_capture)');
  assert.equal(released.status, 'canceled');
  assert.equal(released.amount_received, 0);

  const err = await rejectsWith(stripe.paymentIntents.cancel(open.id), Stripe.errors.StripeInvalidRequestError,
    'canceling a canceled intent');
  assertError(err, 400, 'invalid_request_error', 'payment_intent_unexpected_state', null);
  const confirmErr = await rejectsWith(stripe.paymentIntents.confirm(open.id, {payment_method: 'pm_card_visa'}),
    Stripe.errors.StripeInvalidRequestError, 'confirming a canceled intent');
  assertError(confirmErr, 400, 'invalid_request_error', 'payment_intent_unexpected_state', null);
  await schema.verify();
});
