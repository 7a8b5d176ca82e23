/* Pasarela's Stripe.js: the part of Stripe.js that merchant pages call to confirm and
 * read PaymentIntents and SetupIntents, and the Payment Element. It talks to the origin that
 * served it, with the publishable key in the body as Stripe.js does. Served at /v3/ and /<release>/stripe.js;
 * the server fills in the release and the API version it pins. */
(function () {
  'use strict';
  var RELEASE = '__RELEASE__';
  // The scripts in order: a change made in one release holds in it and every later one
  // (`/v3/` is the script from before the dated releases).
  var RELEASES = ['v3', 'basil', 'clover', 'dahlia', 'endive'];
  function since(release) { return RELEASES.indexOf(RELEASE) >= RELEASES.indexOf(release); }
  var PINNED_VERSION = '__API_VERSION__';
  var script = document.currentScript;
  var API = script && script.src ? new URL(script.src).origin : window.location.origin;
  // A simulated wallet for tests that drive the wallet buttons: the script loaded as
  // `/v3/?wallet=apple_pay` (or `google_pay`) behaves as Stripe.js in a browser where that
  // wallet holds a test card (4242); without it, as in a browser with no wallet.
  var WALLET = script && script.src ? new URL(script.src).searchParams.get('wallet') : null;
  if (WALLET !== 'apple_pay' && WALLET !== 'google_pay') WALLET = null;

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

  // The two kinds of intent Stripe.js confirms, told apart by their client secret's prefix.
  var KINDS = {
    payment_intent: {
      prefix: 'pi_', label: 'PaymentIntent', path: '/v1/payment_intents/', result: 'paymentIntent',
      lastError: 'last_payment_error', done: ['succeeded', 'processing', 'requires_capture']
    },
    setup_intent: {
      prefix: 'seti_', label: 'SetupIntent', path: '/v1/setup_intents/', result: 'setupIntent',
      lastError: 'last_setup_error', done: ['succeeded', 'processing']
    }
  };

  // The intent a client secret names: {kind, id, secret}. `method` names the caller in the
  // IntegrationError, `want` (a key of KINDS) is the kind it accepts (any when absent).
  function parseSecret(method, clientSecret, want) {
    var prefix = 'Invalid value for ' + method + ' intent secret: ';
    if (typeof clientSecret !== 'string' || !/^[a-z]+_[A-Za-z0-9]+_secret_[A-Za-z0-9]+$/.test(clientSecret)) {
      throw IntegrationError(prefix + 'value should be a client secret of the form ${id}_secret_${secret}. You specified: ' + JSON.stringify(clientSecret) + '.');
    }
    var id = clientSecret.split('_secret_')[0];
    var kind = null;
    Object.keys(KINDS).forEach(function (k) { if (id.indexOf(KINDS[k].prefix) === 0) kind = k; });
    if (!kind) {
      throw IntegrationError(prefix + 'value should be a client secret of the form ${id}_secret_${secret}. You specified: ' + JSON.stringify(clientSecret) + '.');
    }
    if (want && kind !== want) {
      throw IntegrationError(prefix + 'value should be a ' + KINDS[want].label + ' client secret. You specified: a ' + KINDS[kind].label + ' client secret.');
    }
    return { kind: kind, id: id, secret: clientSecret };
  }

/*__ELEMENTS__*/

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

    // {paymentIntent} / {setupIntent}, or {error}
    function result(kind, json) {
      if (json.error) return { error: json.error };
      var out = {};
      out[KINDS[kind].result] = json;
      return out;
    }

    // return_url + payment_intent|setup_intent, its client secret and redirect_status
    function returnUrlWith(returnUrl, kind, intent, status) {
      var hash = '';
      var i = returnUrl.indexOf('#');
      if (i >= 0) { hash = returnUrl.slice(i); returnUrl = returnUrl.slice(0, i); }
      var sep = returnUrl.indexOf('?') >= 0 ? '&' : '?';
      var q = {};
      q[kind] = intent.id;
      q[kind + '_client_secret'] = intent.client_secret;
      q.redirect_status = status;
      return returnUrl + sep + encode(q) + hash;
    }

    function retrieve(intent) {
      return call('GET', KINDS[intent.kind].path + intent.id, { client_secret: intent.secret, is_stripe_sdk: 'false' })
        .then(function (r) { return result(intent.kind, r.json); });
    }

    var AUTHENTICATION_FAILED = 'We are unable to authenticate your payment method. Please choose a different payment method and try again.';

    // Shows the hosted authentication page in an overlay and waits until the intent
    // leaves requires_action (used when there is no page to return to).
    function authenticateInModal(intent, url) {
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
          retrieve(intent).then(function (res) {
            var got = res[KINDS[intent.kind].result];
            if (got && got.status !== 'requires_action') {
              clearInterval(poll);
              overlay.remove();
              resolve(res);
            }
          });
        }, 400);
      });
    }

    // What to do with an intent after confirm: follow its next action, or go to the
    // return page, or hand it back. opts: {returnUrl, redirect, handleActions}.
    function settle(intent, obj, opts) {
      var kind = KINDS[intent.kind];
      if (obj.status === 'requires_action' && obj.next_action && opts.handleActions !== false) {
        var na = obj.next_action;
        var url = na.redirect_to_url ? na.redirect_to_url.url : (na.use_stripe_sdk && na.use_stripe_sdk.stripe_js);
        if (na.type === 'redirect_to_url' || (url && opts.returnUrl)) {
          window.location.assign(url);
          return new Promise(function () {});
        }
        if (url) {
          return authenticateInModal(intent, url).then(function (res) {
            var after = res[kind.result];
            if (after && after.status === 'requires_payment_method') {
              var error = Object.assign({}, after[kind.lastError]);
              // Stripe.js tells the customer in its own words; the intent keeps the API's.
              if (/_authentication_failure$/.test(error.code || '')) error.message = AUTHENTICATION_FAILED;
              error[intent.kind] = after;
              return { error: error };
            }
            return res;
          });
        }
      }
      var ok = kind.done.indexOf(obj.status) >= 0;
      if (ok && opts.returnUrl && opts.redirect !== 'if_required') {
        window.location.assign(returnUrlWith(opts.returnUrl, intent.kind, obj, obj.status === 'processing' ? 'processing' : 'succeeded'));
        return new Promise(function () {});
      }
      return Promise.resolve(result(intent.kind, obj));
    }

    function confirm(intent, params, opts) {
      params = Object.assign({ client_secret: intent.secret, use_stripe_sdk: 'true' }, params);
      return call('POST', KINDS[intent.kind].path + intent.id + '/confirm', params).then(function (r) {
        if (r.json.error) return { error: r.json.error };
        return settle(intent, r.json, Object.assign({ returnUrl: params.return_url }, opts));
      });
    }

    // data.payment_method as Stripe.js takes it: an id, or an object describing a new method
    // of `type` (sent as payment_method_data, as is payment_method_data given without a type).
    function methodData(type, data) {
      data = Object.assign({}, data || {});
      if (data.payment_method && typeof data.payment_method === 'object') {
        data.payment_method_data = Object.assign({ type: type }, data.payment_method);
        delete data.payment_method;
      } else if (!data.payment_method && data.payment_method_data) {
        data.payment_method_data = Object.assign({ type: type }, data.payment_method_data);
      }
      return data;
    }

    // handleCardPayment(secret, cardElement?, {payment_method_data}?) of the old API, as
    // confirmCardPayment's data.
    function legacyCardData(element, data) {
      if (!(element instanceof PaymentElement)) return element;
      var extra = (data && data.payment_method_data) || {};
      return { payment_method: Object.assign({}, extra, { card: element }) };
    }

    // confirmPayment / confirmSetup: ({clientSecret, confirmParams, redirect})
    function confirmWithParams(name, kind, options) {
      options = options || {};
      if (options.elements) return confirmWithElements(api, name, kind, options);
      if (!options.clientSecret) return Promise.reject(IntegrationError('stripe.' + name + '(): expected a clientSecret.'));
      var confirmParams = options.confirmParams || {};
      if (!confirmParams.return_url && options.redirect !== 'if_required') {
        return Promise.reject(IntegrationError('stripe.' + name + '(): the `confirmParams.return_url` argument is required unless passing `redirect: \'if_required\'`'));
      }
      var intent;
      try { intent = parseSecret('stripe.' + name, options.clientSecret, kind); } catch (e) { return Promise.reject(e); }
      return confirm(intent, confirmParams, { redirect: options.redirect });
    }

    // confirmXxxPayment / confirmXxxSetup for a redirect method: (clientSecret, data?, {handleActions}?)
    function confirmWithType(name, kind, type) {
      return function (clientSecret, data, opts) {
        var intent = parseSecret('stripe.' + name, clientSecret, kind);
        data = methodData(type, data);
        var handle = { redirect: opts && opts.handleActions === false ? 'if_required' : undefined, handleActions: !(opts && opts.handleActions === false) };
        if (data.payment_method || data.payment_method_data) return confirm(intent, data, handle);
        // No method given: confirm the one the merchant's server attached when it is of
        // this type (the intent allows nothing else), otherwise describe a new one.
        return retrieve(intent).then(function (res) {
          var got = res[KINDS[kind].result];
          var attached = got && got.payment_method && got.payment_method_types &&
            got.payment_method_types.length === 1 && got.payment_method_types[0] === type;
          if (!attached) data.payment_method_data = { type: type };
          return confirm(intent, data, handle);
        });
      };
    }

    // confirmCardPayment / confirmCardSetup: 3-D Secure in the overlay, never a redirect
    // on success.
    function confirmCard(name, kind) {
      return function (clientSecret, data, opts) {
        var intent = parseSecret('stripe.' + name, clientSecret, kind);
        var given = withCardElement(data);
        if (given.error) return Promise.resolve({ error: given.error });
        return confirm(intent, methodData('card', given.data), {
          redirect: 'if_required', handleActions: !(opts && opts.handleActions === false)
        });
      };
    }

    function retriever(name, kind) {
      return function (clientSecret) { return retrieve(parseSecret('stripe.' + name, clientSecret, kind)); };
    }

    this.confirmPayment = function (options) { return confirmWithParams('confirmPayment', 'payment_intent', options); };
    this.confirmSetup = function (options) { return confirmWithParams('confirmSetup', 'setup_intent', options); };
    this.confirmAmazonPayPayment = confirmWithType('confirmAmazonPayPayment', 'payment_intent', 'amazon_pay');
    this.confirmAlmaPayment = confirmWithType('confirmAlmaPayment', 'payment_intent', 'alma');
    this.confirmAmazonPaySetup = confirmWithType('confirmAmazonPaySetup', 'setup_intent', 'amazon_pay');
    this.confirmCardPayment = confirmCard('confirmCardPayment', 'payment_intent');
    this.confirmCardSetup = confirmCard('confirmCardSetup', 'setup_intent');
    this.handleNextAction = function (options) {
      var intent = parseSecret('stripe.handleNextAction', options && options.clientSecret);
      return retrieve(intent).then(function (res) {
        if (res.error) return res;
        var obj = res[KINDS[intent.kind].result];
        if (obj.status !== 'requires_action') {
          var error = { type: 'invalid_request_error', code: intent.kind + '_unexpected_state', message: 'handleNextAction: the ' + KINDS[intent.kind].label + ' is not in requires_action.' };
          error[intent.kind] = obj;
          return { error: error };
        }
        return settle(intent, obj, { returnUrl: obj.next_action.redirect_to_url && obj.next_action.redirect_to_url.return_url, redirect: 'if_required' });
      });
    };
    this.handleCardAction = function (clientSecret) {
      parseSecret('stripe.handleCardAction', clientSecret, 'payment_intent');
      return this.handleNextAction({ clientSecret: clientSecret });
    };
    if (!since('dahlia')) {
      // The legacy names, removed from the dahlia script.
      this.handleCardPayment = function (clientSecret, element, data) {
        return this.confirmCardPayment(clientSecret, legacyCardData(element, data));
      };
      this.handleCardSetup = function (clientSecret, element, data) {
        return this.confirmCardSetup(clientSecret, legacyCardData(element, data));
      };
      this.confirmPaymentIntent = function (clientSecret, element, data) {
        return this.confirmCardPayment(clientSecret, legacyCardData(element, data), { handleActions: false });
      };
      this.confirmSetupIntent = function (clientSecret, element, data) {
        return this.confirmCardSetup(clientSecret, legacyCardData(element, data), { handleActions: false });
      };
    }
    if (!since('clover')) {
      // Sends the customer to a Checkout Session's page (removed from the clover script).
      this.redirectToCheckout = function (options) {
        var id = options && options.sessionId;
        if (!id || typeof id !== 'string') {
          return Promise.reject(IntegrationError('stripe.redirectToCheckout: You must provide a `sessionId`.'));
        }
        window.location.assign(API + '/c/pay/' + encodeURIComponent(id));
        return new Promise(function () {});
      };
    }
    this.retrievePaymentIntent = retriever('retrievePaymentIntent', 'payment_intent');
    this.retrieveSetupIntent = retriever('retrieveSetupIntent', 'setup_intent');
    this.createPaymentMethod = function (data) {
      if (data && data.elements) {
        var pe = data.elements._payment;
        if (!pe || !pe._root) return Promise.reject(IntegrationError('stripe.createPaymentMethod(): the `elements` instance has no mounted Payment Element.'));
        var invalid = pe._validate(true);
        if (invalid) return Promise.resolve({ error: invalid });
        data = mergeMethodData(data.params, pe._methodData());
      }
      var given = withCardElement(data);
      if (given.error) return Promise.resolve({ error: given.error });
      data = given.data;
      return call('POST', '/v1/payment_methods', data || {}).then(function (r) {
        return r.json.error ? { error: r.json.error } : { paymentMethod: r.json };
      });
    };
    var api = { retrieve: retrieve, confirm: confirm, call: call };
    this.elements = function (options) { return new Elements(api, options); };
    this.paymentRequest = function (options) { return new PaymentRequest(api, options); };
    this.createToken = function () {
      return Promise.resolve({ error: { type: 'invalid_request_error', message: "Pasarela's Stripe.js does not create tokens yet." } });
    };
    this.registerAppInfo = function () {};
    this._registerWrapper = function () {};
  }

  Stripe.version = RELEASE === 'v3' ? 3 : RELEASE;
  // For Pasarela's own hosted Checkout page: the same card checks and formatting as the
  // Elements. Not part of Stripe.js's API.
  Stripe.__pasarela = { cardErrors: cardErrors, formatNumber: formatNumber };
  window.Stripe = Stripe;
})();
