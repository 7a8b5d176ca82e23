'use strict';
// Seed 003 (docs.stripe.com/payments/amazon-pay/set-up-future-payments, German edition), server
// side with stripe-node: a customer, a SetupIntent for Amazon Pay, the Stripe.js confirm with
// mandate data inferred from the client, the hosted test authorization page, the Mandate,
// an off-session PaymentIntent with the saved method, and detaching it.
//
// stripe-node pins 2026-11-18.endive, where `payment_method_types` is refused on SetupIntents
// as on PaymentIntents: the SDK creates them with `allowed_payment_method_types` (or
// `automatic_payment_methods`); the seed's own curl (no Stripe-Version) is run as printed.
const assert = require('node:assert/strict');
const {test} = require('node:test');
const {PK, SK, ENDIVE, CLOVER, http, submitHostedPage, useServers, Schema, assertError} = require('./helpers');

const ctx = useServers('US');
const RETURN_URL = 'https://example.com/setup/complete?order=3'; // the seed's, plus a query of our own
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) PasarelaNodeSetupTest/1.0';
const ONLINE_INFERRED = [
  ['mandate_data[customer_acceptance][type]', 'online'],
  ['mandate_data[customer_acceptance][online][infer_from_client]', 'true'],
];

/** The seed's customer: description only. */
async function createCustomer(schema) {
  const {stripe} = ctx.US;
  const customer = await stripe.customers.create({description: 'My First Test Customer (created for API docs)'});
  schema.add(customer, 'customers.create');
  assert.match(customer.id, /^cus_/);
  return customer;
}

/** The seed's SetupIntent, as stripe-node at endive writes it. */
async function createSetupIntent(schema, customer) {
  const {stripe} = ctx.US;
  const seti = await stripe.setupIntents.create({
    allowed_payment_method_types: ['amazon_pay'],
    payment_method_data: {type: 'amazon_pay'},
    usage: 'off_session',
    customer: customer.id,
  });
  schema.add(seti, 'setupIntents.create');
  return seti;
}

/** What Stripe.js sends for stripe.confirmAmazonPaySetup(secret, {return_url, mandate_data}). */
async function stripeJsConfirm(seti, returnUrl = RETURN_URL) {
  return http('POST', `${ctx.US.url}/v1/setup_intents/${seti.id}/confirm`, {
    headers: {'User-Agent': USER_AGENT},
    form: [
      ['key', PK],
      ['client_secret', seti.client_secret],
      ['return_url', returnUrl],
      ['use_stripe_sdk', 'true'],
      ['_stripe_version', CLOVER],
      ...ONLINE_INFERRED,
    ],
  });
}

/** Confirm, then the hosted page's `outcome` button: returns the 303's Location. */
async function throughHostedPage(schema, seti, outcome) {
  const confirmed = await stripeJsConfirm(seti);
  assert.equal(confirmed.status, 200, `Stripe.js confirm: ${confirmed.status} ${confirmed.text}`);
  schema.add(confirmed.json, 'Stripe.js confirm (publishable view)', {version: CLOVER});
  const body = confirmed.json;
  assert.equal(body.id, seti.id);
  assert.equal(body.status, 'requires_action');
  assert.equal(body.next_action.type, 'redirect_to_url');
  assert.equal(body.next_action.redirect_to_url.return_url, RETURN_URL);
  assert.equal(body.customer, undefined, 'the publishable view leaves out the customer');
  assert.equal(body.mandate, undefined, 'the publishable view leaves out the mandate');

  const {page, response} = await submitHostedPage(body.next_action.redirect_to_url.url, outcome);
  assert.ok(page.text.includes('Amazon Pay'), 'the page names the payment method');
  assert.equal(response.status, 303, `hosted page: ${response.status} ${response.text.slice(0, 300)}`);
  const loc = new URL(response.headers.get('location'));
  assert.equal(`${loc.origin}${loc.pathname}`, 'https://example.com/setup/complete');
  assert.equal(loc.searchParams.get('order'), '3', "the merchant's own query parameter is kept");
  assert.equal(loc.searchParams.get('setup_intent'), seti.id);
  assert.equal(loc.searchParams.get('setup_intent_client_secret'), seti.client_secret);
  assert.equal(loc.searchParams.get('redirect_status'), outcome === 'authorize' ? 'succeeded' : 'failed');
  assert.equal(loc.searchParams.get('payment_intent'), null);
  return loc;
}

/** Seed 003 steps 1-3 with Authorize: {customer, seti (succeeded), mandate}. */
async function savedAmazonPay(schema) {
  const {stripe} = ctx.US;
  const customer = await createCustomer(schema);
  const created = await createSetupIntent(schema, customer);
  await throughHostedPage(schema, created, 'authorize');
  const seti = await stripe.setupIntents.retrieve(created.id);
  schema.add(seti, 'setupIntents.retrieve');
  assert.equal(seti.status, 'succeeded');
  const mandate = await stripe.mandates.retrieve(seti.mandate);
  schema.add(mandate, 'mandates.retrieve');
  return {customer, seti, mandate};
}

test('seed 003: the SetupIntent through stripe-node (allowed_payment_method_types at endive)', async () => {
  const schema = new Schema();
  const customer = await createCustomer(schema);
  const seti = await createSetupIntent(schema, customer);
  assert.equal(seti.lastResponse.apiVersion, ENDIVE, 'served at the version stripe-node sends');
  assert.equal(seti.object, 'setup_intent');
  assert.match(seti.id, /^seti_[A-Za-z0-9]+$/);
  assert.match(seti.client_secret, new RegExp(`^${seti.id}_secret_[A-Za-z0-9]+$`));
  assert.deepEqual(seti.allowed_payment_method_types, ['amazon_pay']);
  assert.deepEqual(seti.payment_method_types, ['amazon_pay']);
  assert.equal(seti.customer, customer.id);
  assert.equal(seti.usage, 'off_session');
  assert.match(seti.payment_method, /^pm_/, 'payment_method_data made a PaymentMethod');
  assert.equal(seti.status, 'requires_confirmation');
  assert.equal(seti.mandate, null);
  assert.equal(seti.latest_attempt, null);
  assert.equal(seti.livemode, false);
  await schema.verify();
});

test("seed 003: payment_method_types through stripe-node (endive) is refused; the seed's curl (clover) is not", async () => {
  const schema = new Schema();
  const {stripe, url} = ctx.US;
  const customer = await createCustomer(schema);
  const before = await stripe.setupIntents.list({limit: 100});
  await assert.rejects(
    stripe.setupIntents.create({payment_method_types: ['amazon_pay'], customer: customer.id}),
    (e) => {
      assertError(e, 400, 'invalid_request_error', 'payment_method_types_no_longer_supported', 'payment_method_types');
      return true;
    },
  );
  const after = await stripe.setupIntents.list({limit: 100});
  schema.add(after, 'setupIntents.list');
  assert.deepEqual(after.data.map((s) => s.id), before.data.map((s) => s.id), 'no SetupIntent was created');

  const res = await http('POST', `${url}/v1/setup_intents`, {
    auth: SK,
    form: `payment_method_types[]=amazon_pay&payment_method_data[type]=amazon_pay&usage=off_session&customer=${customer.id}`,
  });
  assert.equal(res.status, 200, `seed curl: ${res.status} ${res.text}`);
  assert.equal(res.headers.get('stripe-version'), CLOVER, 'no Stripe-Version header: the account default serves it');
  assert.deepEqual(res.json.payment_method_types, ['amazon_pay']);
  assert.equal(res.json.status, 'requires_confirmation');
  schema.add(res.json, 'seed curl create', {version: CLOVER});
  await schema.verify();
});

test('seed 003: Authorize on the hosted page -> succeeded, an active multi-use mandate, a setup attempt', async () => {
  const schema = new Schema();
  const {stripe, url} = ctx.US;
  const customer = await createCustomer(schema);
  const created = await createSetupIntent(schema, customer);
  await throughHostedPage(schema, created, 'authorize');

  // The return page: Stripe.js retrieveSetupIntent (publishable key + secret).
  const back = await http('GET',
    `${url}/v1/setup_intents/${created.id}?key=${PK}&client_secret=${encodeURIComponent(created.client_secret)}`);
  assert.equal(back.status, 200, `publishable-key retrieve: ${back.status} ${back.text}`);
  schema.add(back.json, 'Stripe.js retrieve (publishable view)', {version: CLOVER});
  assert.equal(back.json.status, 'succeeded');

  const seti = await stripe.setupIntents.retrieve(created.id);
  schema.add(seti, 'setupIntents.retrieve');
  assert.equal(seti.status, 'succeeded');
  assert.equal(seti.payment_method, created.payment_method, 'the method made at creation is the one set up');
  assert.equal(seti.next_action, null);
  assert.equal(seti.last_setup_error, null);
  assert.match(seti.mandate || '', /^mandate_/);
  assert.match(seti.latest_attempt || '', /^setatt_/);

  const mandate = await stripe.mandates.retrieve(seti.mandate);
  schema.add(mandate, 'mandates.retrieve');
  assert.equal(mandate.object, 'mandate');
  assert.equal(mandate.status, 'active');
  assert.equal(mandate.type, 'multi_use');
  assert.deepEqual(mandate.multi_use, {});
  assert.equal(mandate.payment_method, seti.payment_method);
  assert.equal(mandate.payment_method_details.type, 'amazon_pay');
  assert.equal(mandate.customer_acceptance.type, 'online');
  assert.equal(mandate.customer_acceptance.online.user_agent, USER_AGENT, 'inferred from the confirming client');
  assert.equal(mandate.customer_acceptance.online.ip_address, '127.0.0.1');
  assert.equal(typeof mandate.customer_acceptance.accepted_at, 'number');

  const attempts = await stripe.setupAttempts.list({setup_intent: seti.id});
  schema.add(attempts, 'setupAttempts.list');
  assert.deepEqual(attempts.data.map((a) => [a.id, a.status]), [[seti.latest_attempt, 'succeeded']]);
  assert.equal(attempts.data[0].payment_method, seti.payment_method);
  assert.equal(attempts.data[0].customer, customer.id);
  assert.equal(attempts.data[0].payment_method_details.type, 'amazon_pay');

  const pm = await stripe.paymentMethods.retrieve(seti.payment_method);
  schema.add(pm, 'paymentMethods.retrieve');
  assert.equal(pm.type, 'amazon_pay');
  assert.equal(pm.customer, customer.id, 'the method is attached to the customer');
  const listed = await stripe.customers.listPaymentMethods(customer.id);
  schema.add(listed, 'customers.listPaymentMethods');
  assert.deepEqual(listed.data.map((p) => p.id), [pm.id]);
  await schema.verify();
});

test('seed 003: Fail on the hosted page -> requires_payment_method, no mandate', async () => {
  const schema = new Schema();
  const {stripe} = ctx.US;
  const customer = await createCustomer(schema);
  const created = await createSetupIntent(schema, customer);
  await throughHostedPage(schema, created, 'fail');
  const seti = await stripe.setupIntents.retrieve(created.id);
  schema.add(seti, 'setupIntents.retrieve after fail');
  assert.equal(seti.status, 'requires_payment_method');
  assert.equal(seti.mandate, null);
  assert.equal(seti.payment_method, null);
  assert.equal(seti.next_action, null);
  assert.equal(seti.last_setup_error.code, 'setup_intent_authentication_failure');
  assert.equal(seti.last_setup_error.payment_method.type, 'amazon_pay');
  const attempts = await stripe.setupAttempts.list({setup_intent: seti.id});
  schema.add(attempts, 'setupAttempts.list after fail');
  assert.deepEqual(attempts.data.map((a) => a.status), ['failed']);
  assert.equal(attempts.data[0].setup_error.code, 'setup_intent_authentication_failure');
  await schema.verify();
});

test('seed 003: an off-session PaymentIntent with the saved method succeeds without a redirect', async () => {
  const schema = new Schema();
  const {stripe} = ctx.US;
  const {customer, seti} = await savedAmazonPay(schema);
  // The seed's off-session curl, as stripe-node at endive writes it.
  const pi = await stripe.paymentIntents.create({
    allowed_payment_method_types: ['amazon_pay'],
    payment_method: seti.payment_method,
    amount: 1000,
    currency: 'usd',
    customer: customer.id,
    statement_descriptor: 'test_statement',
    capture_method: 'automatic',
    confirm: true,
    off_session: true,
  });
  schema.add(pi, 'paymentIntents.create off_session');
  assert.equal(pi.status, 'succeeded');
  assert.equal(pi.next_action, null, 'no redirect: the mandate covers it');
  assert.equal(pi.amount_received, 1000);
  assert.equal(pi.payment_method, seti.payment_method);
  assert.equal(pi.customer, customer.id);
  assert.equal(pi.statement_descriptor, 'test_statement');
  const charge = await stripe.charges.retrieve(pi.latest_charge);
  schema.add(charge, 'charges.retrieve');
  assert.equal(charge.status, 'succeeded');
  assert.equal(charge.amount, 1000);
  assert.equal(charge.payment_method_details.type, 'amazon_pay');
  assert.equal(charge.customer, customer.id);
  await schema.verify();
});

test('seed 003: detaching the method deactivates its mandate (mandate.updated, payment_method.detached)', async () => {
  const schema = new Schema();
  const {stripe} = ctx.US;
  const {customer, seti, mandate} = await savedAmazonPay(schema);
  assert.equal(mandate.status, 'active');

  const detached = await stripe.paymentMethods.detach(seti.payment_method);
  schema.add(detached, 'paymentMethods.detach');
  assert.equal(detached.id, seti.payment_method);
  assert.equal(detached.customer, null);

  const inactive = await stripe.mandates.retrieve(mandate.id);
  schema.add(inactive, 'mandates.retrieve after detach');
  assert.equal(inactive.status, 'inactive');
  assert.equal(inactive.payment_method, seti.payment_method);

  const events = await stripe.events.list({limit: 100});
  schema.add(events, 'events.list', {lenient: ['.data[*].data.object']});
  const mine = events.data.filter((e) => e.data.object.id === mandate.id || e.data.object.id === seti.payment_method);
  const types = mine.map((e) => e.type);
  assert.ok(types.includes('mandate.updated'), `events: ${types}`);
  assert.ok(types.includes('payment_method.detached'), `events: ${types}`);
  const updated = mine.find((e) => e.type === 'mandate.updated');
  assert.equal(updated.data.object.status, 'inactive');
  assert.equal(updated.data.previous_attributes.status, 'active');

  // The saved method no longer pays off session.
  await assert.rejects(
    stripe.paymentIntents.create({
      allowed_payment_method_types: ['amazon_pay'], payment_method: seti.payment_method, amount: 1000,
      currency: 'usd', customer: customer.id, confirm: true, off_session: true,
    }),
    (e) => {
      assertError(e, 400, 'invalid_request_error', null, 'payment_method');
      assert.match(e.message, /was detached from a Customer\. It may not be used again/);
      return true;
    },
  );
  await schema.verify();
});
