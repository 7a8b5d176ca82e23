/* Pasarela's Stripe.js: the part of Stripe.js that merchant pages call to confirm and
 * read intents (no Elements yet). It talks to the origin that served it, with the
 * publishable key in the body as Stripe.js does. Served at /v3/ and /<release>/stripe.js;
 * the server fills in the release and the API version it pins. */
(function () {
  'use strict';
  var RELEASE = '__RELEASE__';
  var PINNED_VERSION = '__API_VERSION__';
  var script = document.currentScript;
  var API = script && script.src ? new URL(script.src).origin : window.location.origin;

  function IntegrationError(message) {
    var e = new Error(message);
    e.name = 'IntegrationError';
    return e;
  }

  // Stripe's bracket notation: {a: {b: [1]}} -> a[b][0]=1
  function encode(params) {
    var out = [];
    function walk(prefix, value) {
      if (value === undefined || value === null) return;
      if (Array.isArray(value)) {
        value.forEach(function (v, i) { walk(prefix + '[' + i + ']', v); });
      } else if (typeof value === 'object') {
        Object.keys(value).forEach(function (k) { walk(prefix ? prefix + '[' + k + ']' : k, value[k]); });
      } else {
        out.push(encodeURIComponent(prefix) + '=' + encodeURIComponent(String(value)));
      }
    }
    walk('', params);
    return out.join('&');
  }

  function intentId(clientSecret) {
    if (typeof clientSecret !== 'string' || clientSecret.indexOf('_secret_') < 0) {
      throw IntegrationError('Invalid value for clientSecret: expected a client secret of the form ${id}_secret_${secret}.');
    }
    return clientSecret.split('_secret_')[0];
  }

  function Stripe(key, options) {
    if (!(this instanceof Stripe)) return new Stripe(key, options);
    if (!key) throw IntegrationError('Please call Stripe() with your publishable key. You used an empty string.');
    if (/^(sk|rk)_/.test(key)) throw IntegrationError('You should not use your secret key with Stripe.js. Please pass a publishable key instead.');
    options = options || {};
    var version = PINNED_VERSION || options.apiVersion || null;

    function call(method, path, params) {
      params = Object.assign({ key: key }, params || {});
      if (version) params._stripe_version = version;
      var body = encode(params);
      var url = API + path;
      var init = { method: method };
      if (method === 'GET') {
        url += '?' + body;
      } else {
        init.body = body;
        init.headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
      }
      return fetch(url, init).then(function (r) {
        return r.json().then(function (json) { return { status: r.status, json: json }; });
      }, function (e) {
        return { status: 0, json: { error: { type: 'api_connection_error', message: String(e) } } };
      });
    }

    function returnUrlWith(returnUrl, pi, status) {
      var hash = '';
      var i = returnUrl.indexOf('#');
      if (i >= 0) { hash = returnUrl.slice(i); returnUrl = returnUrl.slice(0, i); }
      var sep = returnUrl.indexOf('?') >= 0 ? '&' : '?';
      return returnUrl + sep + encode({ payment_intent: pi.id, payment_intent_client_secret: pi.client_secret, redirect_status: status }) + hash;
    }

    // Shows the hosted authentication page in an overlay and waits until the intent
    // leaves requires_action (used when there is no page to return to).
    function authenticateInModal(clientSecret, url) {
      return new Promise(function (resolve) {
        var overlay = document.createElement('div');
        overlay.setAttribute('data-pasarela-3ds', '');
        overlay.style.cssText = 'position:fixed;inset:0;background:rgba(0,0,0,.4);display:flex;align-items:center;justify-content:center;z-index:2147483647';
        var frame = document.createElement('iframe');
        frame.src = url;
        frame.name = 'pasarela-authentication';
        frame.style.cssText = 'width:480px;height:420px;border:0;border-radius:8px;background:#fff';
        overlay.appendChild(frame);
        document.body.appendChild(overlay);
        var poll = setInterval(function () {
          retrieve(clientSecret).then(function (res) {
            if (res.paymentIntent && res.paymentIntent.status !== 'requires_action') {
              clearInterval(poll);
              overlay.remove();
              resolve(res);
            }
          });
        }, 400);
      });
    }

    function retrieve(clientSecret) {
      var id = intentId(clientSecret);
      return call('GET', '/v1/payment_intents/' + id, { client_secret: clientSecret, is_stripe_sdk: 'false' }).then(function (r) {
        return r.json.error ? { error: r.json.error } : { paymentIntent: r.json };
      });
    }

    // What to do with an intent after confirm: follow its next action, or go to the
    // return page, or hand it back.
    function settle(pi, returnUrl, redirect, clientSecret) {
      if (pi.status === 'requires_action' && pi.next_action) {
        var na = pi.next_action;
        var url = na.redirect_to_url ? na.redirect_to_url.url : (na.use_stripe_sdk && na.use_stripe_sdk.stripe_js);
        if (na.type === 'redirect_to_url' || (url && returnUrl)) {
          window.location.assign(url);
          return new Promise(function () {});
        }
        if (url) {
          return authenticateInModal(clientSecret, url).then(function (res) {
            if (res.paymentIntent && res.paymentIntent.status === 'requires_payment_method') {
              return { error: Object.assign({}, res.paymentIntent.last_payment_error, { payment_intent: res.paymentIntent }) };
            }
            return res;
          });
        }
      }
      var ok = ['succeeded', 'processing', 'requires_capture'].indexOf(pi.status) >= 0;
      if (ok && returnUrl && redirect !== 'if_required') {
        window.location.assign(returnUrlWith(returnUrl, pi, pi.status === 'processing' ? 'processing' : 'succeeded'));
        return new Promise(function () {});
      }
      return Promise.resolve({ paymentIntent: pi });
    }

    function confirm(clientSecret, params, redirect) {
      var id;
      try { id = intentId(clientSecret); } catch (e) { return Promise.reject(e); }
      params = Object.assign({ client_secret: clientSecret, use_stripe_sdk: 'true' }, params);
      return call('POST', '/v1/payment_intents/' + id + '/confirm', params).then(function (r) {
        if (r.json.error) return { error: r.json.error };
        return settle(r.json, params.return_url, redirect, clientSecret);
      });
    }

    function confirmWithType(type) {
      return function (clientSecret, data, opts) {
        data = Object.assign({}, data || {});
        if (!data.payment_method) data.payment_method_data = Object.assign({ type: type }, data.payment_method_data || {});
        else if (typeof data.payment_method === 'object') {
          data.payment_method_data = Object.assign({ type: type }, data.payment_method);
          delete data.payment_method;
        }
        return confirm(clientSecret, data, opts && opts.handleActions === false ? 'if_required' : undefined);
      };
    }

    this.confirmPayment = function (options) {
      options = options || {};
      if (options.elements) {
        return Promise.reject(IntegrationError("Pasarela's Stripe.js does not provide Elements yet: pass payment_method or payment_method_data in confirmParams."));
      }
      if (!options.clientSecret) return Promise.reject(IntegrationError('stripe.confirmPayment(): expected a clientSecret.'));
      var confirmParams = options.confirmParams || {};
      if (!confirmParams.return_url && options.redirect !== 'if_required') {
        return Promise.reject(IntegrationError('stripe.confirmPayment(): the `confirmParams.return_url` argument is required unless passing `redirect: \'if_required\'`'));
      }
      return confirm(options.clientSecret, confirmParams, options.redirect);
    };
    this.confirmAmazonPayPayment = confirmWithType('amazon_pay');
    this.confirmAlmaPayment = confirmWithType('alma');
    this.confirmCardPayment = function (clientSecret, data, opts) {
      data = Object.assign({}, data || {});
      if (data.payment_method && typeof data.payment_method === 'object') {
        data.payment_method_data = Object.assign({ type: 'card' }, data.payment_method);
        delete data.payment_method;
      }
      return confirm(clientSecret, data, 'if_required');
    };
    this.handleNextAction = function (options) {
      var clientSecret = options && options.clientSecret;
      return retrieve(clientSecret).then(function (res) {
        if (res.error) return res;
        var pi = res.paymentIntent;
        if (pi.status !== 'requires_action') {
          return { error: { type: 'invalid_request_error', code: 'payment_intent_unexpected_state', message: 'handleNextAction: the PaymentIntent is not in requires_action.', payment_intent: pi } };
        }
        return settle(pi, pi.next_action.redirect_to_url && pi.next_action.redirect_to_url.return_url, 'if_required', clientSecret);
      });
    };
    this.handleCardAction = function (clientSecret) { return this.handleNextAction({ clientSecret: clientSecret }); };
    this.retrievePaymentIntent = function (clientSecret) {
      try { return retrieve(clientSecret); } catch (e) { return Promise.reject(e); }
    };
    this.createPaymentMethod = function (data) {
      if (data && data.elements) {
        return Promise.reject(IntegrationError("Pasarela's Stripe.js does not provide Elements yet."));
      }
      return call('POST', '/v1/payment_methods', data || {}).then(function (r) {
        return r.json.error ? { error: r.json.error } : { paymentMethod: r.json };
      });
    };
    this.elements = function () {
      throw IntegrationError("Pasarela's Stripe.js does not provide Elements yet.");
    };
    this.createToken = function () {
      return Promise.resolve({ error: { type: 'invalid_request_error', message: "Pasarela's Stripe.js does not create tokens yet." } });
    };
    this.registerAppInfo = function () {};
    this._registerWrapper = function () {};
  }

  Stripe.version = RELEASE === 'v3' ? 3 : RELEASE;
  window.Stripe = Stripe;
})();
