'use strict';
// The flow of a redirect seed (000 Amazon Pay, 004 Alma), step by step:
//   server: create the PaymentIntent (stripe-node at endive, and the seed's own curl at clover)
//   client: Stripe.js confirmPayment({payment_method_data: {type}, return_url}) -> the redirect
//   customer: the hosted test authorization page, "Authorize test payment" / "Fail test payment"
//   return page: the query parameters Stripe appends, then the PaymentIntent's status.

const assert = require('node:assert/strict');
const {test} = require('node:test');
const {SK, PK, ENDIVE, CLOVER, http, submitHostedPage, Schema, assertError} = require('./helpers');

const RETURN_URL = 'https://shop.example/checkout/complete?order=7';

/** The seed's curl command, verbatim but for the host: Basic auth, no Stripe-Version. */
async function seedCurlCreate(url, {type, amount, currency}) {
  return http('POST', `${url}/v1/payment_intents`, {
    auth: SK,
    form: `payment_method_types[]=${type}&amount=${amount}&currency=${currency}`,
  });
}

/** What Stripe.js sends for stripe.confirmPayment with payment_method_data (publishable key). */
async function stripeJsConfirm(url, pi, {type, returnUrl = RETURN_URL}) {
  return http('POST', `${url}/v1/payment_intents/${pi.id}/confirm`, {
    form: [
      ['key', PK],
      ['client_secret', pi.client_secret],
      ['payment_method_data[type]', type],
      ['return_url', returnUrl],
    ],
  });
}

function assertRedirectAction(confirmed, pi, returnUrl = RETURN_URL) {
  assert.equal(confirmed.status, 200, `Stripe.js confirm: ${confirmed.status} ${confirmed.text}`);
  const body = confirmed.json;
  assert.equal(body.id, pi.id);
  assert.equal(body.status, 'requires_action');
  assert.ok(body.next_action, 'next_action must be set in requires_action');
  assert.equal(body.next_action.type, 'redirect_to_url');
  assert.equal(body.next_action.redirect_to_url.return_url, returnUrl);
  const redirect = body.next_action.redirect_to_url.url;
  assert.match(redirect, /^https?:\/\//, 'redirect_to_url.url must be an absolute URL');
  return redirect;
}

function assertReturnLocation(response, pi, redirectStatus, returnUrl = RETURN_URL) {
  assert.equal(response.status, 303, `posting the hosted page: ${response.status} ${response.text.slice(0, 300)}`);
  const location = response.headers.get('location');
  assert.ok(location, 'a 303 needs a Location header');
  const loc = new URL(location);
  const want = new URL(returnUrl);
  assert.equal(`${loc.origin}${loc.pathname}`, `${want.origin}${want.pathname}`, `Location ${location}`);
  assert.equal(loc.searchParams.get('order'), '7', `the merchant's own query parameter is kept: ${location}`);
  assert.equal(loc.searchParams.get('payment_intent'), pi.id);
  assert.equal(loc.searchParams.get('payment_intent_client_secret'), pi.client_secret);
  assert.equal(loc.searchParams.get('redirect_status'), redirectStatus);
  return loc;
}

/**
 * Defines the seed's tests on the servers of `ctx` (from useServers).
 *   seed: {country, type, label, amount, currency, amountText}
 */
function defineSeedFlow(ctx, seed) {
  const {country, type, label, amount, currency, amountText} = seed;
  const S = () => ctx[country];

  test(`${type}: stripe-node creates the intent with allowed_payment_method_types`, async () => {
    const schema = new Schema();
    const {stripe} = S();
    const pi = await stripe.paymentIntents.create({
      amount, currency, allowed_payment_method_types: [type],
    });
    schema.add(pi, 'paymentIntents.create');
    assert.equal(pi.lastResponse.apiVersion, ENDIVE, 'served at the version stripe-node sends');
    assert.match(pi.id, /^pi_[A-Za-z0-9]+$/);
    assert.equal(pi.object, 'payment_intent');
    assert.equal(pi.amount, amount);
    assert.equal(pi.currency, currency);
    assert.equal(pi.status, 'requires_payment_method');
    assert.deepEqual(pi.payment_method_types, [type]);
    assert.deepEqual(pi.allowed_payment_method_types, [type]);
    assert.equal(pi.livemode, false);
    assert.match(pi.client_secret, new RegExp(`^${pi.id}_secret_[A-Za-z0-9]+$`));
    await schema.verify();
  });

  test(`${type}: the seed's curl call, verbatim at the account default (clover)`, async () => {
    const res = await seedCurlCreate(S().url, seed);
    assert.equal(res.status, 200, `seed curl: ${res.status} ${res.text}`);
    assert.equal(res.headers.get('stripe-version'), CLOVER, 'no Stripe-Version header: the account default serves it');
    assert.match(res.headers.get('request-id') || '', /^req_/, 'Request-Id header');
    const pi = res.json;
    assert.equal(pi.object, 'payment_intent');
    assert.match(pi.id, /^pi_/);
    assert.equal(pi.amount, amount);
    assert.equal(pi.currency, currency);
    assert.equal(pi.status, 'requires_payment_method');
    assert.deepEqual(pi.payment_method_types, [type]);
    assert.match(pi.client_secret, new RegExp(`^${pi.id}_secret_`));
    const schema = new Schema();
    schema.add(pi, 'seed curl create', {version: CLOVER});
    await schema.verify();
  });

  test(`${type}: the same payment_method_types through stripe-node (endive) is refused, nothing written`, async () => {
    const {stripe} = S();
    const before = await stripe.paymentIntents.list({limit: 100});
    await assert.rejects(
      stripe.paymentIntents.create({amount, currency, payment_method_types: [type]}),
      (e) => {
        assert.equal(e.type, 'StripeInvalidRequestError', `${e.type}: ${e.message}`);
        assertError(e, 400, 'invalid_request_error', 'payment_method_types_no_longer_supported',
          'payment_method_types');
        return true;
      },
    );
    const after = await stripe.paymentIntents.list({limit: 100});
    assert.deepEqual(after.data.map((p) => p.id), before.data.map((p) => p.id), 'no intent was created');
  });

  test(`${type}: Stripe.js confirm, hosted page, Authorize test payment, return page, retrieval`, async () => {
    const schema = new Schema();
    const {stripe, url} = S();
    const created = await seedCurlCreate(url, seed);
    assert.equal(created.status, 200, created.text);
    const pi = created.json;

    const confirmed = await stripeJsConfirm(url, pi, {type});
    schema.add(confirmed.json, 'Stripe.js confirm (publishable view)', {version: CLOVER});
    const redirect = assertRedirectAction(confirmed, pi);

    const {page, response} = await submitHostedPage(redirect, 'authorize');
    assert.match(page.headers.get('content-type') || '', /text\/html/);
    assert.ok(page.text.includes('Authorize test payment'), 'the page offers "Authorize test payment"');
    assert.ok(page.text.includes('Fail test payment'), 'the page offers "Fail test payment"');
    assert.ok(page.text.includes(label), `the page names the payment method (${label})`);
    assert.match(page.text, amountText, 'the page shows the amount');
    assertReturnLocation(response, pi, 'succeeded');

    // The return page: Stripe.js retrievePaymentIntent(client_secret) with the publishable key.
    const back = await http('GET',
      `${url}/v1/payment_intents/${pi.id}?key=${PK}&client_secret=${encodeURIComponent(pi.client_secret)}`);
    assert.equal(back.status, 200, `publishable-key retrieve: ${back.status} ${back.text}`);
    assert.equal(back.json.status, 'succeeded');
    schema.add(back.json, 'Stripe.js retrieve (publishable view)', {version: CLOVER});

    // The merchant's server.
    const done = await stripe.paymentIntents.retrieve(pi.id, {expand: ['latest_charge']});
    schema.add(done, 'paymentIntents.retrieve expand latest_charge');
    assert.equal(done.status, 'succeeded');
    assert.equal(done.amount_received, amount);
    assert.equal(done.next_action, null);
    assert.equal(done.last_payment_error, null);
    assert.equal(typeof done.payment_method, 'string');
    assert.match(done.payment_method, /^pm_/);
    const charge = done.latest_charge;
    assert.equal(typeof charge, 'object', 'latest_charge is expanded');
    assert.equal(charge.object, 'charge');
    assert.equal(charge.status, 'succeeded');
    assert.equal(charge.paid, true);
    assert.equal(charge.captured, true);
    assert.equal(charge.amount, amount);
    assert.equal(charge.amount_captured, amount);
    assert.equal(charge.currency, currency);
    assert.equal(charge.payment_intent, pi.id);
    assert.equal(charge.payment_method, done.payment_method);
    assert.equal(charge.payment_method_details.type, type);
    assert.equal(typeof charge.payment_method_details[type], 'object');
    assert.notEqual(charge.payment_method_details[type], null);

    const pm = await stripe.paymentMethods.retrieve(done.payment_method);
    schema.add(pm, 'paymentMethods.retrieve');
    assert.equal(pm.type, type);
    assert.deepEqual(pm[type], {});
    await schema.verify();
  });

  test(`${type}: Fail test payment -> requires_payment_method with payment_intent_authentication_failure`, async () => {
    const schema = new Schema();
    const {stripe, url} = S();
    const pi = await stripe.paymentIntents.create({amount, currency, allowed_payment_method_types: [type]});
    schema.add(pi, 'paymentIntents.create');
    const confirmed = await stripeJsConfirm(url, pi, {type});
    const redirect = assertRedirectAction(confirmed, pi);

    const {response} = await submitHostedPage(redirect, 'fail');
    assertReturnLocation(response, pi, 'failed');

    const failed = await stripe.paymentIntents.retrieve(pi.id);
    schema.add(failed, 'paymentIntents.retrieve after fail');
    assert.equal(failed.status, 'requires_payment_method');
    assert.equal(failed.amount_received, 0);
    assert.equal(failed.next_action, null);
    assert.equal(failed.payment_method, null, 'the failed method moves to last_payment_error.payment_method');
    assert.equal(failed.latest_charge, null, 'a declined redirect creates no charge');
    const lpe = failed.last_payment_error;
    assert.ok(lpe, 'last_payment_error is set');
    assert.equal(lpe.code, 'payment_intent_authentication_failure');
    assert.equal(lpe.type, 'invalid_request_error');
    assert.equal(typeof lpe.message, 'string');
    assert.ok(lpe.payment_method, 'last_payment_error.payment_method');
    assert.equal(lpe.payment_method.type, type);
    assert.equal(lpe.payment_method_type, type, 'payment_method_type is populated for failed attempts (endive)');
    await schema.verify();
  });
}

module.exports = {RETURN_URL, seedCurlCreate, stripeJsConfirm, assertRedirectAction, assertReturnLocation, defineSeedFlow};
