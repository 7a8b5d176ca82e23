'use strict';
// Seed 002's server side through stripe-node: a PaymentIntent for an existing customer and a
// CustomerSession letting the Payment Element redisplay the customer's saved methods.
const assert = require('node:assert/strict');
const {test} = require('node:test');
const {useServers, Schema} = require('./helpers');

const ctx = useServers('US');

test('seed 002: create-intent-and-customer-session', async () => {
  const schema = new Schema();
  const {stripe} = ctx.US;
  const customer = await stripe.customers.create({email: 'returning@example.com'});
  const intent = await stripe.paymentIntents.create({
    amount: 1099, currency: 'usd', automatic_payment_methods: {enabled: true}, customer: customer.id,
  });
  const session = await stripe.customerSessions.create({
    customer: customer.id,
    components: {payment_element: {enabled: true, features: {payment_method_redisplay: 'enabled'}}},
  });
  schema.add(session, 'customerSessions.create');
  assert.match(intent.client_secret, /^pi_\w+_secret_\w+$/);
  assert.match(session.client_secret, /^cuss_secret_\w+$/);
  assert.equal(session.customer, customer.id);
  assert.equal(session.expires_at - session.created, 1800);
  assert.equal(session.components.payment_element.enabled, true);
  assert.equal(session.components.payment_element.features.payment_method_redisplay, 'enabled');
  assert.deepEqual(session.components.payment_element.features.payment_method_allow_redisplay_filters, ['always']);
  await schema.verify();
});
