'use strict';
// Seed 000 (docs.stripe.com/payments/amazon-pay, "Accepter un paiement avec Amazon Pay"):
// 1099 usd on a US account, redirect through the hosted test authorization page.
const {useServers} = require('./helpers');
const {defineSeedFlow} = require('./seedflow');

const ctx = useServers('US');

defineSeedFlow(ctx, {
  country: 'US',
  type: 'amazon_pay',
  label: 'Amazon Pay',
  amount: 1099,
  currency: 'usd',
  amountText: /10[.,]99/,
});
