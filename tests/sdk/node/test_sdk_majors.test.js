'use strict';
// The official stripe-node majors of the last six years, installed side by side (npm aliases in
// package.json: stripe8 = stripe@8.222.0, ... stripe15 = stripe@15.12.0, and today's `stripe`),
// each running the seeds' server-side flows and a saved-card off-session payment the way a
// user of that major writes them:
//   seed 000  a PaymentIntent for Amazon Pay, its client secret, retrieved
//   seed 001  a Customer and a Checkout Session in setup mode with card and Amazon Pay,
//             retrieved, expired
//   seed 002  a PaymentIntent with automatic_payment_methods for a customer and a
//             CustomerSession for the Payment Element
//   seed 003  a SetupIntent for Amazon Pay with payment_method_data, usage off_session
//   seed 004  an Alma PaymentIntent on a French account
//   saved card  a SetupIntent confirmed with pm_card_visa, an off-session PaymentIntent with
//             the saved method (succeeded), a refund of it
//   and a payment-mode Checkout Session (where Checkout's old shape shows most).
//
// stripe-node 8 and 11 send no Stripe-Version: they run at the account's default version, at
// the version their TypeScript users pass (8: 2020-08-27, 11: 2022-11-15), and stripe-node 8
// also on an account whose default is the oldest served version (2019-12-03). 12 to 15 pin
// 2022-11-15, 2023-08-16, 2023-10-16 and 2024-04-10; today's pins 2026-11-18.endive.
//
// Every body is checked with checkShape(body, version) (tests/schema/check.py at the version
// that served it), and its old shape is asserted field by field (OLD below); the same object
// read at the newest version then differs in its top-level fields exactly by what OLD lists.
// Until 2026-09-30.endive the seeds' own `payment_method_types` is what a user writes; with
// today's SDK it is `allowed_payment_method_types` (or nothing, for Checkout).
const assert = require('node:assert/strict');
const {test} = require('node:test');
const {SK, ENDIVE, CLOVER, Server, useServers, http, raw, checkShape, rejectsWith} = require('./helpers');

const ctx = useServers('US', 'FR');

const OLDEST = '2019-12-03';

const MAJORS = [
  {pkg: 'stripe8', release: '8.222.0', served: CLOVER, how: 'no Stripe-Version, the account default'},
  {pkg: 'stripe8', release: '8.222.0', apiVersion: '2020-08-27', served: '2020-08-27', how: "apiVersion '2020-08-27'"},
  {pkg: 'stripe8', release: '8.222.0', served: OLDEST, account: OLDEST,
    how: `no Stripe-Version, an account whose default is ${OLDEST}`},
  {pkg: 'stripe11', release: '11.18.0', served: CLOVER, how: 'no Stripe-Version, the account default'},
  {pkg: 'stripe11', release: '11.18.0', apiVersion: '2022-11-15', served: '2022-11-15', how: "apiVersion '2022-11-15'"},
  {pkg: 'stripe12', release: '12.18.0', served: '2022-11-15', how: 'its pinned version'},
  {pkg: 'stripe13', release: '13.11.0', served: '2023-08-16', how: 'its pinned version'},
  {pkg: 'stripe14', release: '14.25.0', served: '2023-10-16', how: 'its pinned version'},
  {pkg: 'stripe15', release: '15.12.0', served: '2024-04-10', how: 'its pinned version'},
  {pkg: 'stripe23_1', release: '23.1.0', served: '2026-10-28.endive', how: 'its pinned version (last month)'},
  {pkg: 'stripe', release: '23.2.0', served: ENDIVE, how: 'its pinned version (today)'},
];

// ------------------------------------------------------------------------------------------
// The old shapes (docs/api-versions.md): `since` is the first version with the newest shape.
// ------------------------------------------------------------------------------------------
const SINCE = {
  customerLists: '2020-08-27', // Customer sources/subscriptions/tax_ids; Checkout display_items; Charge order
  checkout2022: '2022-08-01', // Checkout payment_intent at creation, shipping/shipping_rate, customer_creation always; Customer default_currency
  charges: '2022-11-15', // PaymentIntent.charges, Charge.refunds
  automaticMethods: '2023-08-16', // intents without a choice of methods: ['card'], automatic_payment_methods null; Checkout payment_method_collection always; Charge destination/dispute
  automaticAsync: '2024-04-10', // capture_method default automatic_async
  basil: '2025-03-31', // invoice: null on PaymentIntent and Charge; Checkout top-level shipping_details
  endive: '2026-09-30', // payment_method_types no longer writable
};
const before = (version, since) => version.slice(0, 10) < since;

/** The top-level fields an object served at `version` has that the newest shape has not (+),
 * and the reverse (-). */
const OLD = {
  payment_intent: (v) => ({
    added: [...(before(v, SINCE.charges) ? ['charges'] : []), ...(before(v, SINCE.basil) ? ['invoice'] : [])],
    removed: [],
  }),
  charge: (v) => ({
    added: [
      ...(before(v, SINCE.charges) ? ['refunds'] : []),
      ...(before(v, SINCE.basil) ? ['invoice'] : []),
      ...(before(v, SINCE.automaticMethods) ? ['destination', 'dispute'] : []),
      ...(before(v, SINCE.customerLists) ? ['order'] : []),
    ],
    removed: [],
  }),
  customer: (v) => ({
    added: [
      ...(before(v, SINCE.customerLists) ? ['sources', 'subscriptions', 'tax_ids'] : []),
      ...(before(v, SINCE.checkout2022) ? ['default_currency'] : []),
    ],
    removed: [],
  }),
  'checkout.session': (v) => {
    if (before(v, SINCE.checkout2022)) {
      return {
        added: ['shipping', 'shipping_rate', ...(before(v, SINCE.customerLists) ? ['display_items'] : [])],
        removed: ['shipping_cost'],
      };
    }
    return {added: before(v, SINCE.basil) ? ['shipping_details'] : [], removed: []};
  },
  setup_intent: () => ({added: [], removed: []}),
  refund: () => ({added: [], removed: []}),
  customer_session: () => ({added: [], removed: []}),
};

/** A sub-list as Stripe embedded it: {object: 'list', data, has_more, total_count, url}. */
function assertEmbeddedList(list, url, ids, what) {
  assert.ok(list && typeof list === 'object', `${what}: expected a list, got ${JSON.stringify(list)}`);
  const {data, ...rest} = list;
  assert.deepEqual(rest, {object: 'list', has_more: false, total_count: ids.length, url}, what);
  assert.deepEqual((data || []).map((x) => x.id), ids, `${what}: the items`);
}

/** A PaymentIntent's version-dependent fields. chargeId: its charge (null: none yet);
 * chosen: whether the request chose its methods (payment_method_types or automatic_payment_methods). */
function assertIntentShape(pi, v, {chargeId = null, refundIds = [], chosen = true} = {}) {
  if (before(v, SINCE.charges)) {
    assertEmbeddedList(pi.charges, `/v1/charges?payment_intent=${pi.id}`, chargeId ? [chargeId] : [],
      `${v}: PaymentIntent.charges`);
    if (chargeId) assertChargeShape(pi.charges.data[0], v, refundIds);
  } else {
    assert.ok(!('charges' in pi), `${v}: no PaymentIntent.charges from ${SINCE.charges}`);
  }
  assert.equal(pi.capture_method, before(v, SINCE.automaticAsync) ? 'automatic' : 'automatic_async',
    `${v}: capture_method when none is given`);
  if (!chosen) assertDefaultMethods(pi, v);
  if (before(v, SINCE.basil)) assert.equal(pi.invoice, null, `${v}: PaymentIntent.invoice before basil`);
}

/** An intent created with neither payment_method_types nor automatic_payment_methods. */
function assertDefaultMethods(intent, v) {
  if (before(v, SINCE.automaticMethods)) {
    assert.deepEqual(intent.payment_method_types, ['card'], `${v}: ${intent.object} types by default`);
    assert.equal(intent.automatic_payment_methods, null, `${v}: ${intent.object}.automatic_payment_methods by default`);
  } else {
    assert.equal(intent.automatic_payment_methods?.enabled, true,
      `${v}: ${intent.object} takes the automatic methods by default from ${SINCE.automaticMethods}`);
  }
}

function assertChargeShape(charge, v, refundIds) {
  if (before(v, SINCE.charges)) {
    assertEmbeddedList(charge.refunds, `/v1/charges/${charge.id}/refunds`, refundIds, `${v}: Charge.refunds`);
  } else {
    assert.ok(!('refunds' in charge), `${v}: no Charge.refunds from ${SINCE.charges}`);
  }
  if (before(v, SINCE.basil)) assert.equal(charge.invoice, null, `${v}: Charge.invoice before basil`);
}

function assertCustomerShape(customer, v) {
  for (const name of ['sources', 'subscriptions', 'tax_ids']) {
    if (before(v, SINCE.customerLists)) {
      assertEmbeddedList(customer[name], `/v1/customers/${customer.id}/${name}`, [], `${v}: Customer.${name}`);
    } else {
      assert.ok(!(name in customer), `${v}: no Customer.${name} from ${SINCE.customerLists}`);
    }
  }
  if (before(v, SINCE.checkout2022)) {
    assert.ok('default_currency' in customer, `${v}: Customer.default_currency before ${SINCE.checkout2022}`);
    assert.equal(customer.default_currency, null);
  } else {
    assert.ok(!('default_currency' in customer), `${v}: no Customer.default_currency from ${SINCE.checkout2022}`);
  }
}

function assertCheckoutShape(session, v) {
  if (before(v, SINCE.checkout2022)) {
    assert.equal(session.shipping, null, `${v}: Checkout shipping`);
    assert.equal(session.shipping_rate, null, `${v}: Checkout shipping_rate`);
    assert.ok(!('shipping_details' in session), `${v}: no Checkout shipping_details before ${SINCE.checkout2022}`);
    assert.ok(!('shipping_cost' in session), `${v}: no Checkout shipping_cost before ${SINCE.checkout2022}`);
  } else {
    assert.ok(!('shipping' in session) && !('shipping_rate' in session), `${v}: no Checkout shipping/shipping_rate`);
    assert.equal(session.shipping_cost, null, `${v}: Checkout shipping_cost`);
    if (before(v, SINCE.basil)) assert.equal(session.shipping_details, null, `${v}: Checkout shipping_details`);
  }
}

// ------------------------------------------------------------------------------------------
// One run: an SDK major against the servers, every body recorded with its version.
// ------------------------------------------------------------------------------------------
class Run {
  constructor(major, servers) {
    this.major = major;
    this.v = major.served;
    this.Stripe = require(major.pkg);
    this.servers = servers;
    this.us = this.client(servers.US);
    this.fr = this.client(servers.FR);
    this.bodies = [];
  }

  /** The constructor call a user of that major writes. */
  client(server) {
    const config = {host: '127.0.0.1', port: server.port, protocol: 'http'};
    if (this.major.apiVersion) config.apiVersion = this.major.apiVersion;
    return new this.Stripe(SK, config);
  }

  /** Methods chosen as the seeds do: payment_method_types until endive, allowed_... from it. */
  methods(types) {
    return before(this.v, SINCE.endive) ? {payment_method_types: types} : {allowed_payment_method_types: types};
  }

  /** CustomerSessions: stripe-node 14 has them; before, a resource of one's own, as its
   * README shows for endpoints the SDK does not know yet. */
  customerSessions(stripe) {
    if (stripe.customerSessions) return stripe.customerSessions;
    const {StripeResource} = this.Stripe;
    const CustomerSessions = StripeResource.extend({
      path: 'customer_sessions',
      create: StripeResource.method({method: 'POST', path: ''}),
    });
    return new CustomerSessions(stripe);
  }

  /** Awaits an SDK call; the body must be served at the run's version. Returns the body. */
  async got(what, call) {
    let obj;
    try {
      obj = await call;
    } catch (err) {
      if (err instanceof this.Stripe.errors.StripeError) {
        const {type, code, param, message} = err.raw || {};
        err.message = `${what}: ${err.statusCode} ${JSON.stringify({type, code, param, message})}`;
      }
      throw err;
    }
    const served = obj.lastResponse && obj.lastResponse.apiVersion;
    assert.equal(served, this.v, `${what}: served at ${served}, expected ${this.v}`);
    const body = raw(obj);
    this.bodies.push({what, body});
    return body;
  }

  /** The object read again at the newest version: its top-level fields differ by OLD. */
  async againstNewest(body, path, server = this.servers.US, opts = {}) {
    const res = await http('GET', `${server.url}${path}`, {auth: SK, headers: {'Stripe-Version': ENDIVE}});
    assert.equal(res.status, 200, `GET ${path} at ${ENDIVE}: ${res.text}`);
    this.bodies.push({what: `GET ${path} (${ENDIVE})`, body: res.json, version: ENDIVE});
    const newest = new Set(Object.keys(res.json));
    const old = new Set(Object.keys(body));
    const added = [...old].filter((k) => !newest.has(k)).sort();
    const removed = [...newest].filter((k) => !old.has(k)).sort();
    const want = OLD[body.object](this.v, opts);
    if (opts.ignore) {
      for (const k of opts.ignore) {
        if (added.includes(k)) added.splice(added.indexOf(k), 1);
      }
    }
    assert.deepEqual({added, removed}, {added: [...want.added].sort(), removed: [...want.removed].sort()},
      `${body.object} at ${this.v} against ${ENDIVE}: top-level fields added/removed`);
  }

  /** Every body recorded so far through check.py at the version that served it: one line
   * per body with problems. */
  async shapeProblems() {
    const bodies = this.bodies;
    this.bodies = [];
    const found = await Promise.all(bodies.map(async ({what, body, version = this.v}) => {
      const problems = await checkShape(body, version);
      return problems.length ? `${what} (Stripe-Version ${version}):\n    ${problems.join('\n    ')}` : null;
    }));
    return found.filter(Boolean);
  }

  /** Runs a flow, then checks the shape of every body it got (also when it failed half-way). */
  async check(flow) {
    let failure;
    try {
      await flow(this);
    } catch (err) {
      failure = err;
    }
    const shapes = await this.shapeProblems();
    const report = `responses that do not match Stripe's shapes (tests/schema/check.py):\n${shapes.join('\n')}`;
    if (failure) {
      if (shapes.length) failure.message += `\n${report}`;
      throw failure;
    }
    assert.deepEqual(shapes, [], report);
  }
}

// ------------------------------------------------------------------------------------------
// The flows
// ------------------------------------------------------------------------------------------
const SUCCESS_URL = 'https://example.com/success';
const CANCEL_URL = 'https://example.com/cancel';

async function seed000(run) {
  const {us, v} = run;
  const pi = await run.got('paymentIntents.create', us.paymentIntents.create({
    ...run.methods(['amazon_pay']), amount: 1099, currency: 'usd',
  }));
  assert.equal(pi.status, 'requires_payment_method');
  assert.deepEqual(pi.payment_method_types, ['amazon_pay']);
  assert.deepEqual([pi.amount, pi.currency], [1099, 'usd']);
  assert.match(pi.client_secret, new RegExp(`^${pi.id}_secret_[A-Za-z0-9]+$`), 'the client secret to hand out');
  assertIntentShape(pi, v);
  const again = await run.got('paymentIntents.retrieve', us.paymentIntents.retrieve(pi.id));
  assert.equal(again.client_secret, pi.client_secret);
  assert.equal(again.status, 'requires_payment_method');
  assertIntentShape(again, v);
  await run.againstNewest(again, `/v1/payment_intents/${pi.id}`);
}

async function seed001(run) {
  const {us, v} = run;
  const customer = await run.got('customers.create', us.customers.create({
    description: 'My First Test Customer (created for API docs)',
  }));
  assert.equal(customer.description, 'My First Test Customer (created for API docs)');
  assertCustomerShape(customer, v);
  await run.againstNewest(customer, `/v1/customers/${customer.id}`);
  // Checkout chose its methods from payment_method_types until endive; today's SDK leaves
  // them to the account (card and Amazon Pay here).
  const types = before(v, SINCE.endive) ? {payment_method_types: ['card', 'amazon_pay']} : {};
  const session = await run.got('checkout.sessions.create', us.checkout.sessions.create({
    mode: 'setup', ...types, customer: customer.id, success_url: SUCCESS_URL, cancel_url: CANCEL_URL,
  }));
  assert.match(session.id, /^cs_test_/);
  assert.deepEqual([session.mode, session.status, session.customer], ['setup', 'open', customer.id]);
  assert.ok(session.payment_method_types.includes('amazon_pay'), `types: ${session.payment_method_types}`);
  assert.match(session.url, new RegExp(`/c/pay/${session.id}$`), 'the page to redirect the customer to');
  assertCheckoutShape(session, v);
  const again = await run.got('checkout.sessions.retrieve', us.checkout.sessions.retrieve(session.id));
  assert.deepEqual([again.id, again.status, again.url], [session.id, 'open', session.url]);
  assertCheckoutShape(again, v);
  // In setup mode there is nothing to display: before 2020-08-27, an empty display_items.
  await run.againstNewest(again, `/v1/checkout/sessions/${session.id}`, undefined, {mode: 'setup'});
  const expired = await run.got('checkout.sessions.expire', us.checkout.sessions.expire(session.id));
  assert.deepEqual([expired.status, expired.url], ['expired', null]);
  assertCheckoutShape(expired, v);
}

async function seed002(run) {
  const {us, v} = run;
  const customer = await run.got('customers.create', us.customers.create({email: 'jenny.rosen@example.com'}));
  assertCustomerShape(customer, v);
  const intent = await run.got('paymentIntents.create', us.paymentIntents.create({
    amount: 1099, currency: 'usd', automatic_payment_methods: {enabled: true}, customer: customer.id,
  }));
  assert.equal(intent.status, 'requires_payment_method');
  assert.equal(intent.customer, customer.id);
  assert.equal(intent.automatic_payment_methods.enabled, true);
  assert.ok(intent.payment_method_types.includes('card'), `types: ${intent.payment_method_types}`);
  assert.match(intent.client_secret, /^pi_\w+_secret_\w+$/);
  assertIntentShape(intent, v);
  const session = await run.got('customerSessions.create', run.customerSessions(us).create({
    customer: customer.id,
    components: {payment_element: {enabled: true, features: {payment_method_redisplay: 'enabled'}}},
  }));
  assert.equal(session.object, 'customer_session');
  assert.match(session.client_secret, /^cuss_secret_\w+$/);
  assert.equal(session.customer, customer.id);
  assert.equal(session.components.payment_element.enabled, true);
  assert.equal(session.components.payment_element.features.payment_method_redisplay, 'enabled');
  await run.againstNewest(intent, `/v1/payment_intents/${intent.id}`);
}

async function seed003(run) {
  const {us, v} = run;
  const customer = await run.got('customers.create', us.customers.create({
    description: 'My First Test Customer (created for API docs)',
  }));
  const seti = await run.got('setupIntents.create', us.setupIntents.create({
    ...run.methods(['amazon_pay']), payment_method_data: {type: 'amazon_pay'}, usage: 'off_session', customer: customer.id,
  }));
  assert.match(seti.id, /^seti_/);
  assert.deepEqual([seti.status, seti.usage, seti.customer], ['requires_confirmation', 'off_session', customer.id]);
  assert.deepEqual(seti.payment_method_types, ['amazon_pay']);
  assert.match(seti.payment_method, /^pm_/, 'payment_method_data made a PaymentMethod');
  assert.match(seti.client_secret, new RegExp(`^${seti.id}_secret_`));
  const again = await run.got('setupIntents.retrieve', us.setupIntents.retrieve(seti.id));
  assert.deepEqual([again.status, again.payment_method], ['requires_confirmation', seti.payment_method]);
  await run.againstNewest(again, `/v1/setup_intents/${seti.id}`);
}

async function seed004(run) {
  const {fr, v} = run;
  const pi = await run.got('paymentIntents.create (FR)', fr.paymentIntents.create({
    ...run.methods(['alma']), amount: 5099, currency: 'eur',
  }));
  assert.equal(pi.status, 'requires_payment_method');
  assert.deepEqual(pi.payment_method_types, ['alma']);
  assert.deepEqual([pi.amount, pi.currency], [5099, 'eur']);
  assertIntentShape(pi, v);
  const again = await run.got('paymentIntents.retrieve (FR)', fr.paymentIntents.retrieve(pi.id));
  assert.equal(again.client_secret, pi.client_secret);
  assertIntentShape(again, v);
  await run.againstNewest(again, `/v1/payment_intents/${pi.id}`, run.servers.FR);
}

async function paymentModeCheckout(run) {
  const {us, v} = run;
  const types = before(v, SINCE.endive) ? {payment_method_types: ['card']} : {};
  const session = await run.got('checkout.sessions.create (payment)', us.checkout.sessions.create({
    mode: 'payment', ...types, success_url: SUCCESS_URL, cancel_url: CANCEL_URL,
    line_items: [{price_data: {currency: 'usd', unit_amount: 1500, product_data: {name: 'Poster'}}, quantity: 1}],
  }));
  assert.deepEqual([session.mode, session.status, session.amount_total], ['payment', 'open', 1500]);
  assertCheckoutShape(session, v);
  if (before(v, SINCE.checkout2022)) {
    assert.match(String(session.payment_intent), /^pi_/, `${v}: the session's PaymentIntent exists from creation`);
    assert.equal(session.customer_creation, 'always', `${v}: customer_creation without customer`);
    const pi = await run.got('paymentIntents.retrieve (the session\'s)', us.paymentIntents.retrieve(session.payment_intent));
    assert.deepEqual([pi.amount, pi.currency, pi.status], [1500, 'usd', 'requires_payment_method']);
  } else {
    assert.equal(session.payment_intent, null, `${v}: the PaymentIntent is made on submit`);
    assert.equal(session.customer_creation, 'if_required', `${v}: customer_creation without customer`);
  }
  assert.equal(session.payment_method_collection, before(v, SINCE.automaticMethods) ? 'always' : 'if_required',
    `${v}: payment_method_collection in payment mode`);
  if (before(v, SINCE.customerLists)) {
    assert.ok(Array.isArray(session.display_items), `${v}: Checkout display_items`);
    assert.equal(session.display_items.length, 1, `${v}: one display item per line item`);
    const [item] = session.display_items;
    assert.deepEqual([item.amount, item.currency, item.quantity], [1500, 'usd', 1]);
  } else {
    assert.ok(!('display_items' in session), `${v}: no Checkout display_items from ${SINCE.customerLists}`);
  }
  await run.againstNewest(session, `/v1/checkout/sessions/${session.id}`, undefined, {mode: 'payment'});
}

async function savedCard(run) {
  const {us, v} = run;
  const customer = await run.got('customers.create', us.customers.create({email: 'saved.card@example.com'}));
  const seti = await run.got('setupIntents.create', us.setupIntents.create({
    customer: customer.id, payment_method: 'pm_card_visa', confirm: true, usage: 'off_session',
  }));
  assert.equal(seti.status, 'succeeded');
  assert.match(seti.payment_method, /^pm_/);
  assertDefaultMethods(seti, v);
  await run.againstNewest(seti, `/v1/setup_intents/${seti.id}`);

  const pi = await run.got('paymentIntents.create (off_session)', us.paymentIntents.create({
    amount: 2000, currency: 'usd', customer: customer.id, payment_method: seti.payment_method,
    off_session: true, confirm: true,
  }));
  assert.equal(pi.status, 'succeeded');
  assert.deepEqual([pi.amount_received, pi.customer, pi.payment_method], [2000, customer.id, seti.payment_method]);
  const chargeId = before(v, SINCE.charges) ? pi.charges?.data?.[0]?.id : pi.latest_charge;
  assert.match(String(chargeId), /^ch_/, 'the payment made a charge');
  assertIntentShape(pi, v, {chargeId, chosen: false});

  const refund = await run.got('refunds.create', us.refunds.create({payment_intent: pi.id}));
  assert.deepEqual([refund.object, refund.status, refund.amount, refund.charge], ['refund', 'succeeded', 2000, chargeId]);
  await run.againstNewest(refund, `/v1/refunds/${refund.id}`);

  const charge = await run.got('charges.retrieve', us.charges.retrieve(chargeId));
  assert.deepEqual([charge.refunded, charge.amount_refunded, charge.payment_intent], [true, 2000, pi.id]);
  assertChargeShape(charge, v, [refund.id]);
  await run.againstNewest(charge, `/v1/charges/${chargeId}`);

  const after = await run.got('paymentIntents.retrieve', us.paymentIntents.retrieve(pi.id));
  assert.equal(after.status, 'succeeded');
  assertIntentShape(after, v, {chargeId, refundIds: [refund.id], chosen: false});
  await run.againstNewest(after, `/v1/payment_intents/${pi.id}`);

  const cus = await run.got('customers.retrieve', us.customers.retrieve(customer.id));
  assertCustomerShape(cus, v);
  await run.againstNewest(cus, `/v1/customers/${customer.id}`);
}

const FLOWS = [
  ['seed 000: an Amazon Pay PaymentIntent and its client secret', seed000],
  ['seed 001: Checkout in setup mode with Amazon Pay, retrieved and expired', seed001],
  ['seed 002: an intent for a customer and a CustomerSession', seed002],
  ['seed 003: an Amazon Pay SetupIntent for off-session use', seed003],
  ['seed 004: an Alma PaymentIntent on a French account', seed004],
  ['a saved card charged off-session, then refunded', savedCard],
  ['Checkout in payment mode', paymentModeCheckout],
];

/** Servers for a run: the suite's, or a pair whose account default is `account`. */
async function serversFor(major) {
  if (!major.account) return {servers: {US: ctx.US.server, FR: ctx.FR.server}, stop: async () => {}};
  const started = [];
  try {
    for (const country of ['US', 'FR']) started.push(await new Server(country, ['--api-version', major.account]).start());
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
  return {
    servers: {US: started[0], FR: started[1]},
    stop: async () => {
      const codes = await Promise.all(started.map((s) => s.stop()));
      assert.deepEqual(codes, [0, 0], 'SIGTERM drains and exits 0');
    },
  };
}

for (const major of MAJORS) {
  test(`stripe-node ${major.release} (${major.how}; served ${major.served})`, async (t) => {
    const {servers, stop} = await serversFor(major);
    try {
      for (const [name, flow] of FLOWS) {
        await t.test(name, () => new Run(major, servers).check(flow));
      }
    } finally {
      await stop();
    }
  });
}

test('a version older than 2019-12-03 is refused (stripe-node 8 with apiVersion 2019-11-05)', async () => {
  const Stripe8 = require('stripe8');
  const stripe = new Stripe8(SK, {apiVersion: '2019-11-05', host: '127.0.0.1', port: ctx.US.server.port, protocol: 'http'});
  const err = await rejectsWith(stripe.customers.create({description: 'too old'}), Stripe8.errors.StripeInvalidRequestError);
  assert.equal(err.statusCode, 400);
  assert.equal(err.raw.type, 'invalid_request_error');
  assert.ok(err.raw.message.startsWith('Invalid Stripe API version: 2019-11-05'), err.raw.message);
  // and the oldest served version is not
  const ok = new Stripe8(SK, {apiVersion: OLDEST, host: '127.0.0.1', port: ctx.US.server.port, protocol: 'http'});
  const customer = await ok.customers.create({description: 'oldest'});
  assert.equal(customer.lastResponse.apiVersion, OLDEST);
});
