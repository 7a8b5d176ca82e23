  /* Elements and the Payment Element, drawn in the merchant's page (Stripe draws them in
   * iframes; the fields, events, validation messages and confirm results are Stripe's).
   * `api` is the Stripe instance's own plumbing: retrieve(intent) and confirm(intent, params, opts). */

  var LABELS = { card: 'Card', amazon_pay: 'Amazon Pay', alma: 'Alma' };
  var BRANDS = {
    visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover',
    diners: 'Diners Club', jcb: 'JCB', unionpay: 'UnionPay', cartes_bancaires: 'Cartes Bancaires'
  };
  // The billing countries offered, and those whose card form asks for a postal code.
  var COUNTRIES = /*__COUNTRIES__*/null || { list: [['US', 'United States']], postal: ['US'], postalBeforeClover: ['US'] };
  // From clover, card forms ask for a postal code in the US only (no longer in Canada, the
  // UK and Puerto Rico).
  var POSTAL = since('clover') ? COUNTRIES.postal : COUNTRIES.postalBeforeClover;
  // A US ZIP code (five digits), as the US and Puerto Rico have.
  function isZip(postal) { return postal === 'US' || postal === 'PR'; }
  var REDIRECT_NOTE = 'After submission, you will be redirected to securely complete next steps.';
  var CSS = [
    '.p-pe{--p-primary:#0570de;--p-bg:#fff;--p-text:#30313d;--p-muted:#6d6e78;--p-danger:#df1b41;--p-border:#e6e6e6;--p-radius:5px;--p-unit:4px;',
    'font-family:var(--p-font,-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif);font-size:15px;color:var(--p-text);}',
    'html,body{margin:0;padding:0;background:transparent;}body{padding:4px;}',
    '.p-pe *{box-sizing:border-box;}',
    'select.p-pe-input{appearance:none;-webkit-appearance:none;padding-right:32px;background-image:linear-gradient(45deg,transparent 50%,var(--p-muted) 50%),linear-gradient(135deg,var(--p-muted) 50%,transparent 50%);background-position:calc(100% - 17px) 50%,calc(100% - 12px) 50%;background-size:5px 5px;background-repeat:no-repeat;}',
    '.p-pe-methods{display:flex;gap:calc(var(--p-unit)*3);margin-bottom:calc(var(--p-unit)*3);flex-wrap:wrap;}',
    '.p-pe-accordion .p-pe-methods{flex-direction:column;gap:0;border:1px solid var(--p-border);border-radius:var(--p-radius);overflow:hidden;}',
    '.p-pe-tab{flex:1 1 0;min-width:110px;text-align:left;padding:calc(var(--p-unit)*3);background:var(--p-bg);color:var(--p-muted);border:1px solid var(--p-border);border-radius:var(--p-radius);',
    'box-shadow:0 1px 1px rgba(0,0,0,.03),0 3px 6px rgba(0,0,0,.02);font:inherit;font-weight:600;cursor:pointer;transition:border-color .15s,box-shadow .15s,color .15s;}',
    '.p-pe-accordion .p-pe-tab{border:0;border-radius:0;border-bottom:1px solid var(--p-border);box-shadow:none;}',
    '.p-pe-tab[aria-selected="true"]{color:var(--p-primary);border-color:var(--p-primary);box-shadow:0 0 0 1px var(--p-primary);}',
    '.p-pe-accordion .p-pe-tab[aria-selected="true"]{box-shadow:inset 3px 0 0 var(--p-primary);}',
    '.p-pe-tab:focus-visible,.p-pe-input:focus{outline:0;border-color:var(--p-primary);box-shadow:0 0 0 3px rgba(5,112,222,.25);}',
    '.p-pe-pane[hidden]{display:none;}',
    '.p-pe-row{display:flex;gap:calc(var(--p-unit)*3);}',
    '.p-pe-field{flex:1 1 0;margin-bottom:calc(var(--p-unit)*3);position:relative;}',
    '.p-pe-label{display:block;margin-bottom:calc(var(--p-unit)*1);font-size:14px;color:var(--p-text);}',
    '.p-pe-input{width:100%;padding:calc(var(--p-unit)*3);font:inherit;color:var(--p-text);background:var(--p-bg);border:1px solid var(--p-border);border-radius:var(--p-radius);',
    'box-shadow:0 1px 1px rgba(0,0,0,.03),0 3px 6px rgba(0,0,0,.02);transition:border-color .15s,box-shadow .15s;}',
    '.p-pe-input[aria-invalid="true"]{border-color:var(--p-danger);color:var(--p-danger);box-shadow:0 0 0 1px var(--p-danger);}',
    '.p-pe-brand{position:absolute;right:calc(var(--p-unit)*3);bottom:calc(var(--p-unit)*3);font-size:12px;font-weight:700;color:var(--p-muted);text-transform:uppercase;pointer-events:none;}',
    '.p-pe-error{color:var(--p-danger);font-size:14px;margin-top:calc(var(--p-unit)*1);min-height:0;}',
    '.p-pe-note{color:var(--p-muted);font-size:14px;padding:calc(var(--p-unit)*2) 0;}',
    '.p-pe-saved{border:1px solid var(--p-border);border-radius:var(--p-radius);margin-bottom:calc(var(--p-unit)*3);overflow:hidden;}',
    '.p-pe-choice{display:flex;align-items:center;gap:calc(var(--p-unit)*3);padding:calc(var(--p-unit)*3);border-bottom:1px solid var(--p-border);cursor:pointer;background:var(--p-bg);}',
    '.p-pe-choice:last-child{border-bottom:0;}',
    '.p-pe-choice input{accent-color:var(--p-primary);margin:0;}',
    '.p-pe-choice .p-pe-exp{margin-left:auto;color:var(--p-muted);font-size:13px;}',
    '.p-pe-new[hidden]{display:none;}',
    '.p-pe-remove{margin-left:12px;background:none;border:0;color:var(--p-primary);font:inherit;font-size:13px;cursor:pointer;padding:0;}',
    '.p-pe-save{border:0;padding:0 0 calc(var(--p-unit)*3) 0;font-size:14px;}',
    '.p-pe-night{--p-bg:#30313d;--p-text:#fff;--p-muted:#a9a9b6;--p-border:#424353;}',
    '.p-pe-flat .p-pe-input,.p-pe-flat .p-pe-tab{box-shadow:none;background:#f6f8fa;}',
    // The Card Element: one line, as Stripe's (number, MM / YY, CVC, ZIP), its box drawn by
    // the page's CSS on the mount node (`.StripeElement`), its labels kept for screen readers.
    '.p-ce{font-size:16px;line-height:1.2em;}',
    '.p-ce .p-pe-pane,.p-ce .p-pe-card{display:flex;align-items:center;gap:8px;}',
    '.p-ce .p-pe-row{display:contents;}',
    '.p-ce .p-pe-field{margin:0;min-width:0;display:flex;align-items:center;}',
    '.p-ce .p-pe-field-number{flex:1 1 auto;}',
    '.p-ce .p-pe-field-expiry{flex:0 0 4.4em;}',
    '.p-ce .p-pe-field-cvc{flex:0 0 2.8em;}',
    '.p-ce .p-pe-field-postalCode{flex:0 0 4.4em;}',
    '.p-ce .p-pe-label{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;}',
    '.p-ce .p-pe-input{min-width:0;border:0;box-shadow:none;padding:0;margin:0;background:transparent;height:1.2em;line-height:1.2em;font-size:inherit;border-radius:0;}',
    '.p-ce .p-pe-input:focus{box-shadow:none;}',
    '.p-ce .p-pe-input[aria-invalid="true"]{box-shadow:none;}',
    '.p-ce .p-pe-brand{position:static;order:-1;margin-right:6px;font-size:11px;}',
    '.p-ce .p-pe-error{display:none;}',
    '.p-ce-split .p-pe-field{flex:1 1 auto;}'
  ].join('');

  // The Card Element's `style` option ({base, complete, empty, invalid}, each with CSS
  // properties in camelCase and pseudo-classes such as `::placeholder` or `:focus`) as CSS
  // for the inputs of the frame.
  var STYLE_STATES = { base: '', complete: '[data-complete="1"]', empty: '[data-empty="1"]', invalid: '[aria-invalid="true"]' };
  // CSS declarations from an object of camelCase properties (nested objects left out, and
  // nothing that could close the rule).
  function decls(o) {
    return Object.keys(o).filter(function (k) { return typeof o[k] !== 'object'; }).map(function (k) {
      var name = k === 'iconColor' ? null : k.replace(/[A-Z]/g, function (c) { return '-' + c.toLowerCase(); });
      return name && /^[a-z-]+$/.test(name) ? name + ':' + String(o[k]).replace(/[;{}<]/g, '') : null;
    }).filter(Boolean).join(';');
  }

  // The Appearance API's `rules` ({'.Input:focus': {...}, '.Tab--selected': {...}}) as CSS for
  // an element's frame: Stripe's class names mapped to the element's own, its state modifiers
  // to attributes, pseudo-classes kept. Names not listed here are left out.
  var RULE_CLASSES = { Input: '.p-pe-input', Label: '.p-pe-label', Tab: '.p-pe-tab', TabLabel: '.p-pe-tab',
    AccordionItem: '.p-pe-accordion .p-pe-tab', Error: '.p-pe-error', Block: '.p-pe-saved' };
  var RULE_STATES = { selected: '[aria-selected="true"]', invalid: '[aria-invalid="true"]', empty: '[data-empty="1"]' };
  function rulesCss(rules) {
    return Object.keys(rules || {}).map(function (key) {
      var m = /^\.([A-Za-z]+)(?:--([a-z]+))?((?::{1,2}[a-z-]+)*)$/.exec(key);
      if (!m || !RULE_CLASSES[m[1]] || (m[2] && !RULE_STATES[m[2]]) || typeof rules[key] !== 'object') return '';
      return '.p-pe ' + RULE_CLASSES[m[1]] + (m[2] ? RULE_STATES[m[2]] : '') + m[3] + '{' + decls(rules[key]) + '}';
    }).join('');
  }

  function styleCss(style) {
    var rules = [];
    Object.keys(STYLE_STATES).forEach(function (state) {
      var o = style && style[state];
      if (!o || typeof o !== 'object') return;
      var sel = '.p-ce .p-pe-input' + STYLE_STATES[state];
      rules.push(sel + '{' + decls(o) + '}');
      Object.keys(o).forEach(function (k) {
        if (/^:{1,2}[a-z-]+$/.test(k) && typeof o[k] === 'object') rules.push(sel + k + '{' + decls(o[k]) + '}');
      });
    });
    return rules.join('');
  }

  var VARIABLES = {
    colorPrimary: '--p-primary', colorBackground: '--p-bg', colorText: '--p-text',
    colorTextSecondary: '--p-muted', colorDanger: '--p-danger', fontFamily: '--p-font',
    borderRadius: '--p-radius', spacingUnit: '--p-unit'
  };

  // The element's own document: an iframe of the page's origin titled as Stripe's are, inside
  // `div.__PrivateStripeElement`, so tests written against Stripe's DOM find the same fields.
  var frames = 0;
  // `inner` names the element in the frame's `src` as Stripe's do
  // (`…elements-inner-payment-…`): an about:blank URL whose fragment carries it keeps the
  // frame of the page's origin and lets tests find it by `iframe[src*="elements-inner-card"]`.
  function frameIn(node, title, inner) {
    var host = document.createElement('div');
    host.className = '__PrivateStripeElement';
    host.style.cssText = 'margin:0;padding:0;border:none;display:block;background:transparent;position:relative;opacity:1;';
    var frame = document.createElement('iframe');
    frame.setAttribute('title', title);
    frame.setAttribute('src', 'about:blank#elements-inner-' + inner + '-' + (5000 + frames));
    frame.setAttribute('name', '__privateStripeFrame' + (5000 + frames++));
    frame.setAttribute('frameborder', '0');
    frame.setAttribute('allowtransparency', 'true');
    frame.setAttribute('scrolling', 'no');
    frame.setAttribute('role', 'presentation');
    // 4px of room around the fields for their focus rings, as Stripe's frames have.
    frame.style.cssText = 'border:none;margin:-4px;width:calc(100% + 8px);min-width:100%;height:0;display:block;overflow:hidden;background:transparent;color-scheme:normal;';
    host.appendChild(frame);
    node.appendChild(host);
    var doc = frame.contentDocument;
    doc.open();
    doc.write('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body></body></html>');
    doc.close();
    var style = doc.createElement('style');
    style.textContent = CSS;
    doc.head.appendChild(style);
    return { host: host, frame: frame, doc: doc };
  }

  // The customer's country: the page's default, else the browser's region, else the US.
  function defaultCountry(opts) {
    var given = opts.defaultValues && opts.defaultValues.billingDetails && opts.defaultValues.billingDetails.address;
    var known = COUNTRIES.list.map(function (c) { return c[0]; });
    if (given && known.indexOf(given.country) >= 0) return given.country;
    var region = String(navigator.language || '').split('-')[1];
    return region && known.indexOf(region.toUpperCase()) >= 0 ? region.toUpperCase() : 'US';
  }

  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text) n.textContent = text;
    return n;
  }

  function digits(s) { return String(s || '').replace(/\D/g, ''); }

  function luhn(num) {
    var sum = 0;
    for (var i = 0; i < num.length; i++) {
      var d = +num[num.length - 1 - i];
      if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    return num.length > 0 && sum % 10 === 0;
  }

  // The brand a card number starts like, and the digits it takes.
  function brandOf(num) {
    if (/^3[47]/.test(num)) return { brand: 'amex', length: 15, cvc: 4 };
    if (/^4/.test(num)) return { brand: 'visa', length: 16, cvc: 3 };
    if (/^(5[1-5]|2[2-7])/.test(num)) return { brand: 'mastercard', length: 16, cvc: 3 };
    if (/^(6011|65|64[4-9])/.test(num)) return { brand: 'discover', length: 16, cvc: 3 };
    if (/^3(0[0-5]|[68])/.test(num)) return { brand: 'diners', length: 14, cvc: 3 };
    if (/^35/.test(num)) return { brand: 'jcb', length: 16, cvc: 3 };
    if (/^62/.test(num)) return { brand: 'unionpay', length: 16, cvc: 3 };
    return { brand: 'unknown', length: 16, cvc: 3 };
  }

  function validationError(code, message) {
    return { type: 'validation_error', code: code, message: message };
  }

  // The split card Elements, each one field of the card, and the field it holds; with the
  // Card Element, the kinds that take card details.
  var SPLIT = { cardNumber: 'number', cardExpiry: 'expiry', cardCvc: 'cvc', postalCode: 'postalCode' };
  var FRAME_TITLES = { card: 'Secure card payment input frame', cardNumber: 'Secure card number input frame',
    cardExpiry: 'Secure expiration date input frame', cardCvc: 'Secure CVC input frame',
    postalCode: 'Secure postal code input frame', payment: 'Secure payment input frame' };
  function cardLike(kind) { return kind === 'card' || !!SPLIT[kind]; }
  function slotOf(kind) { return kind === 'payment' ? '_payment' : '_' + kind; }

  // A card number grouped as Stripe shows it while typed: `4242 4242 …`, Amex 4-6-5; cut
  // at the brand's length.
  function formatNumber(value) {
    var num = digits(value), b = brandOf(num);
    num = num.slice(0, b.brand === 'amex' ? 15 : 19);
    return b.brand === 'amex'
      ? [num.slice(0, 4), num.slice(4, 10), num.slice(10)].filter(Boolean).join(' ')
      : num.replace(/(\d{4})(?=\d)/g, '$1 ');
  }

  // What is wrong with the card fields, field by field (Stripe's codes and messages).
  function cardErrors(f, postal) {
    var out = {};
    var num = digits(f.number);
    var b = brandOf(num);
    if (num.length < b.length) out.number = validationError('incomplete_number', 'Your card number is incomplete.');
    else if (!luhn(num)) out.number = validationError('invalid_number', 'Your card number is invalid.');
    var exp = digits(f.expiry);
    if (exp.length < 4) {
      out.expiry = validationError('incomplete_expiry', 'Your card\u2019s expiration date is incomplete.');
    } else {
      var month = +exp.slice(0, 2), year = 2000 + +exp.slice(2, 4);
      var now = new Date(), thisYear = now.getFullYear(), thisMonth = now.getMonth() + 1;
      if (month < 1 || month > 12) out.expiry = validationError('invalid_expiry_month', 'Your card\u2019s expiration date is invalid.');
      else if (year < thisYear) out.expiry = validationError('invalid_expiry_year_past', 'Your card\u2019s expiration year is in the past.');
      else if (year === thisYear && month < thisMonth) out.expiry = validationError('invalid_expiry_month_past', 'Your card\u2019s expiration date is in the past.');
    }
    if (digits(f.cvc).length < b.cvc) out.cvc = validationError('incomplete_cvc', 'Your card\u2019s security code is incomplete.');
    if (postal) {
      var code = String(f.postalCode || '').trim();
      var zip = isZip(postal);
      if (!code) out.postalCode = validationError('incomplete_zip', zip ? 'Your ZIP is incomplete.' : 'Your postal code is incomplete.');
      else if (zip && !/^\d{5}$/.test(code)) out.postalCode = validationError(code.length < 5 ? 'incomplete_zip' : 'invalid_zip', code.length < 5 ? 'Your ZIP is incomplete.' : 'Your ZIP is invalid.');
    }
    return out;
  }

  var SPENT = ['succeeded', 'canceled', 'processing', 'requires_capture'];

  // From endive, a deferred intent's types are `allowedPaymentMethodTypes`; the
  // scripts before it take `paymentMethodTypes`.
  function checkTypesOption(options) {
    if (options.paymentMethodTypes && since('endive')) {
      throw IntegrationError('The `paymentMethodTypes` option is not supported from 2026-09-30.endive: use `allowedPaymentMethodTypes`.');
    }
  }

  function Elements(api, options) {
    options = Object.assign({}, options || {});
    checkTypesOption(options);
    this._api = api;
    this._options = options;
    this._intent = options.clientSecret ? parseSecret('stripe.elements', options.clientSecret) : null;
    this._payment = null;
  }

  // The payment method types to offer: the intent's, or those the deferred options name.
  Elements.prototype._types = function () {
    var intent = this._intent, options = this._options;
    if (!intent) return Promise.resolve(options.allowedPaymentMethodTypes || options.paymentMethodTypes || ['card']);
    return this._api.retrieve(intent).then(function (res) {
      if (res.error) throw res.error;
      var got = res[KINDS[intent.kind].result];
      // From clover, Elements refuses the client secret of an intent already done with.
      if (since('clover') && SPENT.indexOf(got.status) >= 0) {
        var label = KINDS[intent.kind].label;
        throw {
          type: 'invalid_request_error', code: intent.kind + '_unexpected_state',
          message: 'This ' + label + "'s status is " + got.status + ': Elements cannot be created with the client secret of a ' + label + ' that has been ' + got.status.replace(/_/g, ' ') + '. Create a new ' + label + ' instead.'
        };
      }
      return got.payment_method_types || ['card'];
    });
  };

  // The customer's saved methods the customer session lets the Payment Element show.
  Elements.prototype._saved = function () {
    var secret = this._options.customerSessionClientSecret;
    if (!secret) return Promise.resolve([]);
    var params = { customer_session_client_secret: secret };
    if (this._intent) params.client_secret = this._intent.secret;
    var self = this;
    return this._api.call('GET', '/v1/elements/saved_payment_methods', params).then(function (r) {
      if (r.json.error) throw r.json.error;
      self._save = r.json.payment_method_save ? { usage: r.json.payment_method_save_usage } : null;
      self._remove = !!r.json.payment_method_remove;
      return r.json.data;
    });
  };

  Elements.prototype.create = function (type, opts) {
    if (type === 'expressCheckout' || type === 'paymentRequestButton') {
      return new WalletElement(this, type, opts || {});
    }
    if (type === 'address') {
      var mode = opts && opts.mode;
      if (mode !== 'shipping' && mode !== 'billing') {
        throw IntegrationError('elements.create(\'address\'): `mode` must be `shipping` or `billing`.');
      }
      var slot = mode === 'shipping' ? '_shipping' : '_billing';
      if (this[slot]) throw IntegrationError('Can only create one Address Element in ' + mode + ' mode.');
      this[slot] = new AddressElement(this, opts);
      return this[slot];
    }
    if (type === 'linkAuthentication') {
      if (this._link) throw IntegrationError('Can only create one Element of type linkAuthentication.');
      this._link = new LinkAuthenticationElement(this, opts || {});
      return this._link;
    }
    if (type !== 'payment' && !cardLike(type)) {
      throw IntegrationError('elements.create(): Pasarela provides the `payment`, `card`, `cardNumber`, `cardExpiry`, `cardCvc`, `postalCode`, `linkAuthentication`, `expressCheckout` and `paymentRequestButton` Elements; `' + type + '` is not available.');
    }
    var slot = slotOf(type);
    if (this[slot]) throw IntegrationError('Can only create one Element of type ' + type + '.');
    if (type === 'payment' && !this._options.clientSecret && !this._options.mode) {
      throw IntegrationError('elements(): pass a `clientSecret` (of a PaymentIntent or SetupIntent), or a `mode` for the deferred intent flow, to create a Payment Element.');
    }
    this[slot] = new PaymentElement(this, opts || {}, type);
    return this[slot];
  };

  // A type string, or a component carrying `__elementType` (how Stripe's React and Vue
  // wrappers pass theirs).
  Elements.prototype.getElement = function (type) {
    if (type && typeof type === 'object') type = type.__elementType;
    if (type === 'linkAuthentication') return this._link || null;
    if (type === 'address') return this._shipping || this._billing || null;
    return (typeof type === 'string' && (type === 'payment' || cardLike(type)) && this[slotOf(type)]) || null;
  };

  // The split card Elements' inputs by field (`number`, `expiry`, `cvc`, `postalCode`), and
  // the element holding each: confirming with the number's element takes them all.
  Elements.prototype._split = function () {
    var self = this, fields = {}, owners = {};
    Object.keys(SPLIT).forEach(function (kind) {
      var e = self[slotOf(kind)];
      if (e && e._root && e._fields[SPLIT[kind]]) {
        fields[SPLIT[kind]] = e._fields[SPLIT[kind]];
        owners[SPLIT[kind]] = e;
      }
    });
    return { fields: fields, owners: owners };
  };

  Elements.prototype.update = function (opts) {
    checkTypesOption(opts || {});
    Object.assign(this._options, opts || {});
    if (this._payment) this._payment._applyAppearance();
    // From dahlia, update() returns a Promise; before it, nothing.
    if (since('dahlia')) return Promise.resolve({});
  };

  Elements.prototype.fetchUpdates = function () {
    var p = this._payment;
    return p && p._root ? p._load().then(function () { return {}; }) : Promise.resolve({});
  };

  // Checks what the customer typed, showing the problems in place; {} or {error}.
  Elements.prototype.submit = function () {
    // In an Express Checkout `confirm` handler: the wallet's sheet was the form.
    if (this._express && this._express._pending) return Promise.resolve({});
    var p = this._payment;
    if (!p || !p._root) {
      return Promise.resolve({ error: validationError('incomplete', 'The Payment Element is not mounted.') });
    }
    var error = p._validate(true) || (this._link && this._link._validate()) || addressProblem(this);
    return Promise.resolve(error ? { error: error } : {});
  };

  // The Payment Element, or with `kind` 'card' the Card Element (its card fields alone,
  // used with confirmCardPayment / createPaymentMethod).
  function PaymentElement(elements, opts, kind) {
    this._kind = kind || 'payment';
    this._elements = elements;
    this._opts = opts;
    var layout = opts.layout;
    if (since('dahlia') && layout && typeof layout.radios === 'boolean') {
      throw IntegrationError('Invalid value for layout.radios: a boolean is no longer accepted; use one of `always`, `never`, `if_multiple` or `auto`.');
    }
    // The default layout: accordion from basil, tabs before it.
    this._layout = (typeof layout === 'string' ? layout : layout && layout.type) || (since('basil') ? 'accordion' : 'tabs');
    this._handlers = {};
    this._types = [];
    this._selected = null;
    this._root = null;
    this._fields = {};
    var fields = opts.fields && opts.fields.billingDetails;
    var address = fields === 'never' ? 'never' : fields && fields.address;
    // The merchant collects the address itself (`fields.billingDetails.address: 'never'`).
    this._askAddress = SPLIT[kind] ? kind === 'postalCode' : kind === 'card' ? !opts.hidePostalCode
      : !(address === 'never' || (address && address.country === 'never'));
    this._country = defaultCountry(opts);
  }

  PaymentElement.prototype.on = function (event, handler) {
    (this._handlers[event] = this._handlers[event] || []).push(handler);
    return this;
  };
  PaymentElement.prototype.once = function (event, handler) {
    var self = this;
    function once(e) { self.off(event, once); handler(e); }
    return this.on(event, once);
  };
  PaymentElement.prototype.off = function (event, handler) {
    this._handlers[event] = (this._handlers[event] || []).filter(function (h) { return handler && h !== handler; });
    return this;
  };
  PaymentElement.prototype._emit = function (event, payload) {
    (this._handlers[event] || []).slice().forEach(function (h) {
      try { h(payload); } catch (e) { setTimeout(function () { throw e; }); }
    });
  };

  // The node `target` names (a selector or a node), as Stripe.js's mount finds it.
  function mountNode(target) {
    var node = typeof target === 'string' ? document.querySelector(target) : target;
    if (!node) {
      throw IntegrationError('The selector you specified (' + target + ') applies to no DOM elements that are currently on the page.\nMake sure the element exists on the page before calling mount().');
    }
    return node;
  }

  // The event methods (and `extra` ones) every element and the payment request share.
  function withEvents(ctor, extra) {
    ['on', 'once', 'off', '_emit'].concat(extra || []).forEach(function (name) {
      ctor.prototype[name] = PaymentElement.prototype[name];
    });
  }

  // Mounts `element` in `target` (a selector or a node): its frame titled `title`, and in
  // it `element._root`, a div of `className`, the frame as tall as what the div holds.
  function mountFrame(element, target, title, className, name, inner) {
    var node = mountNode(target);
    if (element._root) throw IntegrationError('This Element is already mounted. Use `unmount` to unmount the Element before re-mounting.');
    element._frame = frameIn(node, title, inner);
    element._doc = element._frame.doc;
    element._root = el('div', { 'class': className, 'data-pasarela': name });
    element._doc.body.appendChild(element._root);
    var frame = element._frame.frame, root = element._root;
    function fit() { frame.style.height = (root.offsetHeight + 8) + 'px'; }
    new frame.contentWindow.ResizeObserver(fit).observe(root);
    fit();
    element._applyAppearance();
  }

  function unmountFrame(element) {
    var host = element._frame && element._frame.host;
    if (host && host.parentNode) host.parentNode.removeChild(host);
    element._root = null;
    element._frame = null;
  }

  PaymentElement.prototype.mount = function (target) {
    var card = cardLike(this._kind);
    mountFrame(this, target, FRAME_TITLES[this._kind],
      'p-pe p-pe-' + this._layout + (card ? ' p-ce' : '') + (SPLIT[this._kind] ? ' p-ce-split' : ''), 'payment-element', card ? 'card' : 'payment');
    if (card) {
      this._node = this._frame.host.parentNode;
      this._node.classList.add('StripeElement', 'StripeElement--empty');
      var own = this._doc.createElement('style');
      own.id = 'p-ce-style';
      own.textContent = styleCss(this._opts.style);
      this._doc.head.appendChild(own);
    }
    var self = this;
    this._load().then(function () {
      self._emit('ready', { elementType: self._kind });
    }, function (error) {
      if (self._root) self._root.appendChild(el('div', { 'class': 'p-pe-error', role: 'alert' }, error.message || String(error)));
      self._emit('loaderror', { elementType: self._kind, error: error });
    });
  };

  PaymentElement.prototype.unmount = function () { unmountFrame(this); };

  PaymentElement.prototype.destroy = function () {
    this.unmount();
    this._elements[slotOf(this._kind)] = null;
    this._handlers = {};
  };

  PaymentElement.prototype.focus = function () {
    var f = this._fields[SPLIT[this._kind] || 'number'];
    if (f && this._selected === 'card') f.focus();
  };
  PaymentElement.prototype.blur = function () {
    var active = this._doc && this._doc.activeElement;
    if (active && this._root && this._root.contains(active)) active.blur();
  };
  PaymentElement.prototype.clear = function () {
    var f = this._fields;
    ['number', 'expiry', 'cvc', 'postalCode'].forEach(function (k) { if (f[k]) f[k].value = ''; });
    this._changed();
  };
  PaymentElement.prototype.update = function (opts) {
    Object.assign(this._opts, opts || {});
    if (cardLike(this._kind) && this._root) {
      if (opts && opts.style) this._doc.getElementById('p-ce-style').textContent = styleCss(this._opts.style);
      this._cardOptions();
    }
  };

  // The Card Element's `value` ({postalCode}) and `disabled` options.
  PaymentElement.prototype._cardOptions = function () {
    var f = this._fields, o = this._opts;
    if (o.value && o.value.postalCode && f.postalCode && !f.postalCode.value) f.postalCode.value = o.value.postalCode;
    ['number', 'expiry', 'cvc', 'postalCode'].forEach(function (k) {
      if (f[k]) f[k].disabled = !!o.disabled;
    });
  };
  PaymentElement.prototype.collapse = function () { return this; };

  PaymentElement.prototype._applyAppearance = function () {
    if (!this._root) return;
    var a = this._elements._options.appearance || {};
    var root = this._root;
    root.classList.remove('p-pe-night', 'p-pe-flat');
    if (a.theme === 'night') root.classList.add('p-pe-night');
    if (a.theme === 'flat') root.classList.add('p-pe-flat');
    var vars = a.variables || {};
    Object.keys(VARIABLES).forEach(function (k) {
      if (vars[k] !== undefined && vars[k] !== null) root.style.setProperty(VARIABLES[k], String(vars[k]));
    });
    var doc = root.ownerDocument, own = doc.getElementById('p-pe-rules');
    if (!own) {
      own = doc.createElement('style');
      own.id = 'p-pe-rules';
      doc.head.appendChild(own);
    }
    own.textContent = rulesCss(a.rules);
  };

  PaymentElement.prototype._load = function () {
    var self = this;
    var wanted = cardLike(this._kind) ? [Promise.resolve(['card']), Promise.resolve([])]
      : [this._elements._types(), this._elements._saved()];
    return Promise.all(wanted).then(function (got) {
      var types = got[0];
      self._savedMethods = got[1];
      self._types = types.filter(function (t) { return LABELS[t]; });
      if (!self._types.length) throw IntegrationError('None of the payment method types of this intent (' + types.join(', ') + ') can be shown by the Payment Element.');
      if (self._root) self._render();
    });
  };

  PaymentElement.prototype._render = function () {
    var self = this, root = this._root;
    root.innerHTML = '';
    if (cardLike(this._kind)) {
      // The Card Element (or one of its split fields): the card fields, no choice of method.
      this._tabs = {};
      this._panes = {};
      this._selected = 'card';
      var pane = el('div', { 'class': 'p-pe-pane' });
      this._cardFields(pane);
      root.appendChild(pane);
      this._cardOptions();
      return;
    }
    var tabs = el('div', { 'class': 'p-pe-methods', role: 'tablist' });
    var panes = el('div', { 'class': 'p-pe-panes' });
    this._tabs = {};
    this._panes = {};
    this._types.forEach(function (type) {
      // Stripe's test ids: `card-accordion-item` in the accordion, `card` on a tab.
      var testid = self._layout === 'accordion' ? type + '-accordion-item' : type;
      var tab = el('button', { type: 'button', role: 'tab', 'class': 'p-pe-tab', id: type + '-tab', 'data-type': type, 'data-testid': testid, 'aria-selected': 'false' }, LABELS[type]);
      tab.addEventListener('click', function () { self._select(type); });
      tabs.appendChild(tab);
      var pane = el('div', { 'class': 'p-pe-pane', role: 'tabpanel', id: 'p-pe-pane-' + type, hidden: '' });
      if (type === 'card') self._cardFields(pane);
      else pane.appendChild(el('div', { 'class': 'p-pe-note' }, REDIRECT_NOTE));
      panes.appendChild(pane);
      self._tabs[type] = tab;
      self._panes[type] = pane;
    });
    var fresh = el('div', { 'class': 'p-pe-new' });
    fresh.appendChild(tabs);
    fresh.appendChild(panes);
    this._savedChoice = null;
    if (this._savedMethods && this._savedMethods.length) root.appendChild(this._savedList(fresh));
    root.appendChild(fresh);
    var wanted = this._opts.defaultValues && this._opts.defaultValues.paymentMethodType;
    this._select(this._types.indexOf(wanted) >= 0 ? wanted : this._types[0], true);
  };

  // A returning customer's saved methods, as Stripe shows them ("Visa •••• 4242"), the
  // newest chosen; "New payment method" opens the tabs.
  PaymentElement.prototype._savedList = function (fresh) {
    var self = this;
    var list = el('div', { 'class': 'p-pe-saved', role: 'radiogroup', 'aria-label': 'Saved payment methods' });
    function choice(id, label, exp, pm) {
      var row = el('label', { 'class': 'p-pe-choice', 'for': 'p-pe-saved-' + id });
      var radio = el('input', { type: 'radio', name: 'p-pe-saved', id: 'p-pe-saved-' + id, value: id });
      radio.addEventListener('change', function () {
        self._savedChoice = pm;
        if (pm) fresh.setAttribute('hidden', ''); else fresh.removeAttribute('hidden');
        self._changed();
      });
      row.appendChild(radio);
      row.appendChild(el('span', { 'class': 'p-pe-choice-label' }, label));
      if (exp) row.appendChild(el('span', { 'class': 'p-pe-exp' }, exp));
      if (pm && self._elements._remove) {
        // The customer session lets the customer remove a saved method.
        var remove = el('button', { type: 'button', 'class': 'p-pe-remove', id: 'p-pe-remove-' + id }, 'Remove');
        remove.addEventListener('click', function (event) {
          event.preventDefault();
          self._elements._api.call('POST', '/v1/elements/saved_payment_methods/' + id + '/detach', {
            customer_session_client_secret: self._elements._options.customerSessionClientSecret
          }).then(function (r) {
            if (r.json.error) return;
            self._savedMethods = self._savedMethods.filter(function (m) { return m.id !== id; });
            self._render();
            self._changed();
          });
        });
        row.appendChild(remove);
      }
      list.appendChild(row);
      return radio;
    }
    var first = null;
    if (!this._savedMethods.length) return el('div', {});
    this._savedMethods.forEach(function (pm) {
      var c = pm.card || {};
      var brand = BRANDS[c.brand] || (c.brand ? c.brand[0].toUpperCase() + c.brand.slice(1) : LABELS[pm.type]);
      var exp = c.exp_month ? 'Expires ' + ('0' + c.exp_month).slice(-2) + '/' + String(c.exp_year).slice(-2) : '';
      var radio = choice(pm.id, brand + ' \u2022\u2022\u2022\u2022 ' + (c.last4 || ''), exp, pm);
      if (!first) first = { radio: radio, pm: pm };
    });
    choice('new', 'New payment method', '', null);
    first.radio.checked = true;
    this._savedChoice = first.pm;
    fresh.setAttribute('hidden', '');
    return list;
  };

  PaymentElement.prototype._cardFields = function (pane) {
    var self = this;
    var card = cardLike(this._kind), only = SPLIT[this._kind];
    // Stripe's ids (`#Field-numberInput`…); the Card Element's inputs keep its names
    // (`cardnumber`, `exp-date`, `cvc`, `postal`).
    var NAMES = { number: 'cardnumber', expiry: 'exp-date', cvc: 'cvc', postalCode: 'postal' };
    function field(name, label, attrs, tag) {
      var wrap = el('div', { 'class': 'p-pe-field p-pe-field-' + name });
      var id = 'Field-' + name + 'Input';
      wrap.appendChild(el('label', { 'class': 'p-pe-label', 'for': id }, label));
      var input = el(tag || 'input', Object.assign({ id: id, name: card ? NAMES[name] : name, 'class': 'p-pe-input', 'aria-invalid': 'false' },
        tag ? {} : { type: 'text', spellcheck: 'false' }, attrs));
      wrap.appendChild(input);
      var error = el('div', { 'class': 'p-pe-error', id: 'Field-' + name + 'Error', role: 'alert' });
      wrap.appendChild(error);
      input.addEventListener(tag ? 'change' : 'input', function () { self._format(name); self._showFieldError(name, null); self._changed(); });
      input.addEventListener('focus', function () {
        if (self._node) self._node.classList.add('StripeElement--focus');
        self._emit('focus', { elementType: self._kind });
      });
      input.addEventListener('blur', function () {
        var errs = cardErrors(self._values(), self._postal());
        if (input.value) self._showFieldError(name, errs[name] || null);
        if (self._node) {
          self._node.classList.remove('StripeElement--focus');
          self._stateClasses();
        }
        // A split field tells the page its error when the customer leaves it.
        if (SPLIT[self._kind]) self._changed();
        self._emit('blur', { elementType: self._kind });
      });
      self._fields[name] = input;
      self._errors = self._errors || {};
      self._errors[name] = error;
      return wrap;
    }
    if (!only || only === 'number') {
      var number = field('number', 'Card number', { inputmode: 'numeric', autocomplete: 'cc-number', placeholder: card ? 'Card number' : '1234 1234 1234 1234' });
      this._brand = el('span', { 'class': 'p-pe-brand', 'aria-hidden': 'true' });
      number.insertBefore(this._brand, number.lastChild);
      pane.appendChild(number);
    }
    var row = el('div', { 'class': 'p-pe-row' });
    if (!only || only === 'expiry') row.appendChild(field('expiry', 'Expiration date', { inputmode: 'numeric', autocomplete: 'cc-exp', placeholder: 'MM / YY' }));
    if (!only || only === 'cvc') row.appendChild(field('cvc', 'Security code', { inputmode: 'numeric', autocomplete: 'cc-csc', placeholder: 'CVC' }));
    pane.appendChild(row);
    if (this._askAddress) {
      // Where the card is billed: Stripe asks for the country, and a ZIP or postcode where
      // the country has one its banks check (the Card Element: a postal code alone).
      var place = el('div', { 'class': 'p-pe-row' });
      if (!card) {
        var country = field('country', 'Country', { autocomplete: 'billing country' }, 'select');
        COUNTRIES.list.forEach(function (c) {
          var option = el('option', { value: c[0] }, c[1]);
          if (c[0] === self._country) option.setAttribute('selected', '');
          self._fields.country.appendChild(option);
        });
        place.appendChild(country);
      }
      this._postalWrap = field('postalCode', card ? 'ZIP' : 'ZIP code', { autocomplete: 'billing postal-code', placeholder: card ? 'ZIP' : '12345' });
      place.appendChild(this._postalWrap);
      pane.appendChild(place);
      this._format('country');
    }
    // The customer session lets the customer save the card for next time.
    if (this._kind === 'payment' && this._elements._save) {
      var save = el('label', { 'class': 'p-pe-choice p-pe-save', 'for': 'p-pe-save' });
      this._fields.save = el('input', { type: 'checkbox', id: 'p-pe-save', name: 'save' });
      save.appendChild(this._fields.save);
      save.appendChild(el('span', {}, 'Save payment details for future purchases'));
      pane.appendChild(save);
    }
  };

  // Keeps the fields in Stripe's shapes as the customer types: `4242 4242 …`, `MM / YY`.
  PaymentElement.prototype._format = function (name) {
    var f = this._fields[name];
    if (name === 'number') {
      f.value = formatNumber(f.value);
      var num = digits(f.value), b = brandOf(num);
      this._brand.textContent = num ? (b.brand === 'unknown' ? '' : b.brand) : '';
    } else if (name === 'expiry') {
      var e = digits(f.value).slice(0, 4);
      if (e.length === 1 && +e > 1) e = '0' + e;
      f.value = e.length > 2 ? e.slice(0, 2) + ' / ' + e.slice(2) : e;
    } else if (name === 'cvc') {
      f.value = digits(f.value).slice(0, 4);
    } else if (name === 'country' && f) {
      var postal = this._postal();
      var zip = this._postalWrap;
      if (!postal) { zip.setAttribute('hidden', ''); zip.style.display = 'none'; return; }
      zip.removeAttribute('hidden');
      zip.style.display = '';
      zip.firstChild.textContent = isZip(postal) ? 'ZIP code' : 'Postal code';
      this._fields.postalCode.setAttribute('placeholder', isZip(postal) ? '12345' : '');
      this._fields.postalCode.setAttribute('inputmode', isZip(postal) ? 'numeric' : 'text');
    } else if (name === 'postalCode' && isZip(this._postal())) {
      f.value = digits(f.value).slice(0, 5);
    }
  };

  PaymentElement.prototype._values = function () {
    var f = SPLIT[this._kind] ? this._elements._split().fields : this._fields;
    function v(k) { return f[k] ? f[k].value : ''; }
    return { number: v('number'), expiry: v('expiry'), cvc: v('cvc'), country: v('country'), postalCode: v('postalCode') };
  };

  // Which postal code the card form asks for: the country's code (US: a ZIP), 'any' for the
  // Card Element's free-form one, or null for none.
  PaymentElement.prototype._postal = function () {
    if (SPLIT[this._kind]) return this._elements._split().fields.postalCode ? 'any' : null;
    if (!this._askAddress) return null;
    if (this._kind === 'card') return 'any';
    var country = this._fields.country ? this._fields.country.value : this._country;
    return POSTAL.indexOf(country) >= 0 ? country : null;
  };

  PaymentElement.prototype._showFieldError = function (name, error) {
    if (!this._fields[name]) return;
    this._fields[name].setAttribute('aria-invalid', error ? 'true' : 'false');
    this._errors[name].textContent = error ? error.message : '';
  };

  PaymentElement.prototype._select = function (type, quiet) {
    var self = this;
    this._selected = type;
    Object.keys(this._tabs).forEach(function (t) {
      self._tabs[t].setAttribute('aria-selected', t === type ? 'true' : 'false');
      if (t === type) self._panes[t].removeAttribute('hidden'); else self._panes[t].setAttribute('hidden', '');
    });
    if (!quiet) this._changed();
  };

  PaymentElement.prototype._complete = function () {
    if (this._savedChoice || this._selected !== 'card') return true;
    return Object.keys(cardErrors(this._values(), this._postal())).length === 0;
  };

  // Stripe's classes on the Card Element's mount node, for the page's CSS.
  PaymentElement.prototype._stateClasses = function () {
    var n = this._node;
    if (!n) return;
    var v = this._values(), complete = this._complete(), mine = SPLIT[this._kind];
    var empty = mine ? !v[mine] : !(v.number || v.expiry || v.cvc), invalid = this._shownError();
    if (mine) complete = !!v[mine] && !cardErrors(v, this._postal())[mine];
    n.classList.toggle('StripeElement--empty', empty);
    n.classList.toggle('StripeElement--complete', complete);
    n.classList.toggle('StripeElement--invalid', invalid);
    var f = this._fields;
    ['number', 'expiry', 'cvc', 'postalCode'].forEach(function (k) {
      if (!f[k]) return;
      f[k].setAttribute('data-empty', f[k].value ? '0' : '1');
      f[k].setAttribute('data-complete', complete ? '1' : '0');
    });
  };
  PaymentElement.prototype._shownError = function () {
    var f = this._fields;
    return ['number', 'expiry', 'cvc', 'postalCode'].some(function (k) { return f[k] && f[k].getAttribute('aria-invalid') === 'true'; });
  };

  PaymentElement.prototype._changed = function () {
    var v = this._values();
    var saved = this._savedChoice;
    var value = saved ? { type: saved.type, payment_method: saved } : { type: this._selected };
    if (!saved && this._selected === 'card' && this._askAddress && this._kind === 'payment') {
      // The address the card form collects, as Stripe's change event carries it.
      var address = { country: v.country };
      if (this._postal()) address.postalCode = v.postalCode;
      value.billingDetails = { address: address };
    }
    var mine = SPLIT[this._kind];
    if (mine) {
      // A split field's own state: complete when its part is, its error once shown.
      var err = cardErrors(v, this._postal())[mine];
      this._stateClasses();
      var change = { elementType: this._kind, complete: !!v[mine] && !err, empty: !v[mine],
        error: err && this._fields[mine].getAttribute('aria-invalid') === 'true' ? err : undefined };
      if (mine === 'number') change.brand = brandOf(digits(v.number)).brand;
      this._emit('change', change);
      return;
    }
    if (this._kind === 'card') {
      var first = this._validate(false);
      this._stateClasses();
      this._emit('change', {
        elementType: 'card', complete: this._complete(), empty: !(v.number || v.expiry || v.cvc),
        brand: brandOf(digits(v.number)).brand, error: first && v.number && digits(v.number).length >= brandOf(digits(v.number)).length ? first : undefined
      });
      return;
    }
    this._emit('change', {
      elementType: 'payment',
      complete: this._complete(),
      empty: !saved && this._selected === 'card' ? !(v.number || v.expiry || v.cvc) : false,
      collapsed: false,
      value: value
    });
  };

  // The first problem (shown in place when `show`), or null.
  PaymentElement.prototype._validate = function (show) {
    if (this._savedChoice || this._selected !== 'card') return null;
    var errs = cardErrors(this._values(), this._postal()), self = this, first = null;
    var owners = SPLIT[this._kind] ? this._elements._split().owners : null;
    ['number', 'expiry', 'cvc', 'postalCode'].forEach(function (k) {
      if (show) (owners ? owners[k] : self) && (owners ? owners[k] : self)._showFieldError(k, errs[k] || null);
      if (!first && errs[k]) first = errs[k];
    });
    return first;
  };

  // The Address Element, `shipping` or `billing`: Stripe's fields (name, country, address
  // lines, city, a state or province where the country has them, a postal code, and a phone
  // when asked), with Stripe's ids (`#Field-addressLine1Input`…). Confirming with the
  // elements passes the address on as Stripe.js does: a shipping one as the intent's
  // `shipping`, a billing one as the payment method's `billing_details`.
  var AREAS = {
    US: ['AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'DC', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY', 'LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND', 'OH', 'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY', 'PR'],
    CA: ['AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT']
  };
  var AREA_LABELS = { US: 'State', CA: 'Province', AU: 'State', IN: 'State', MX: 'State', BR: 'State', JP: 'Prefecture' };
  var INCOMPLETE = 'This field is incomplete.';

  function AddressElement(elements, opts) {
    this._elements = elements;
    this._opts = opts;
    this._mode = opts.mode;
    this._handlers = {};
    this._root = null;
    this._inputs = {};
    this._errors = {};
  }
  withEvents(AddressElement, ['_applyAppearance']);

  AddressElement.prototype.mount = function (target) {
    mountFrame(this, target, 'Secure address input frame', 'p-pe', 'address-element', 'address');
    var given = this._opts.defaultValues || {};
    var known = COUNTRIES.list.map(function (c) { return c[0]; });
    var allowed = this._opts.allowedCountries;
    var country = (given.address && given.address.country) || defaultCountry({});
    if (allowed && allowed.indexOf(country) < 0) country = allowed[0];
    this._country = known.indexOf(country) >= 0 ? country : 'US';
    this._given = given;
    this._render();
    var self = this;
    setTimeout(function () {
      self._emit('ready', { elementType: 'address' });
      if (given.name || given.address) self._changed();
    });
  };

  // Draws the fields for the chosen country, keeping what was typed.
  AddressElement.prototype._render = function () {
    // What was typed, when redrawn for another country; the defaults on the first draw.
    var self = this, given = Object.keys(this._inputs).length ? this._value() : (this._given || {});
    var address = given.address || {};
    this._root.innerHTML = '';
    this._inputs = {};
    this._errors = {};
    function field(name, label, attrs, tag, value) {
      var wrap = el('div', { 'class': 'p-pe-field p-pe-field-' + name });
      var id = 'Field-' + name + 'Input';
      wrap.appendChild(el('label', { 'class': 'p-pe-label', 'for': id }, label));
      var input = el(tag || 'input', Object.assign({ id: id, name: name, 'class': 'p-pe-input', 'aria-invalid': 'false' },
        tag ? {} : { type: 'text' }, attrs));
      if (value && !tag) input.value = value;
      wrap.appendChild(input);
      var error = el('div', { 'class': 'p-pe-error', id: 'Field-' + name + 'Error', role: 'alert' });
      wrap.appendChild(error);
      input.addEventListener(tag ? 'change' : 'input', function () {
        self._showError(name, null);
        if (name === 'country') { self._country = input.value; self._render(); }
        self._changed();
      });
      input.addEventListener('focus', function () { self._emit('focus', { elementType: 'address' }); });
      input.addEventListener('blur', function () { self._emit('blur', { elementType: 'address' }); });
      self._inputs[name] = input;
      self._errors[name] = error;
      return wrap;
    }
    var r = this._root;
    r.appendChild(field('name', 'Full name', { autocomplete: 'name' }, null, given.name));
    var countries = field('country', 'Country or region', { autocomplete: 'country' }, 'select');
    var allowed = this._opts.allowedCountries;
    COUNTRIES.list.forEach(function (c) {
      if (allowed && allowed.indexOf(c[0]) < 0) return;
      var option = el('option', { value: c[0] }, c[1]);
      if (c[0] === self._country) option.setAttribute('selected', '');
      self._inputs.country.appendChild(option);
    });
    r.appendChild(countries);
    r.appendChild(field('addressLine1', 'Address line 1', { autocomplete: 'address-line1', placeholder: 'Street address' }, null, address.line1));
    r.appendChild(field('addressLine2', 'Address line 2', { autocomplete: 'address-line2', placeholder: 'Apt., suite, unit number, etc. (optional)' }, null, address.line2));
    var row = el('div', { 'class': 'p-pe-row' });
    row.appendChild(field('locality', 'City', { autocomplete: 'address-level2' }, null, address.city));
    var area = AREA_LABELS[this._country];
    if (area) {
      var states = AREAS[this._country];
      var state = field('administrativeArea', area, { autocomplete: 'address-level1' }, states ? 'select' : null, address.state);
      if (states) {
        self._inputs.administrativeArea.appendChild(el('option', { value: '' }, 'Select'));
        states.forEach(function (code) {
          var option = el('option', { value: code }, code);
          if (code === address.state) option.setAttribute('selected', '');
          self._inputs.administrativeArea.appendChild(option);
        });
      }
      row.appendChild(state);
    }
    if (POSTAL_COUNTRIES.indexOf(this._country) >= 0) {
      row.appendChild(field('postalCode', isZip(this._country) ? 'ZIP' : 'Postal code', { autocomplete: 'postal-code' }, null, address.postal_code));
    }
    r.appendChild(row);
    if (this._phoneShown()) {
      r.appendChild(field('phoneNumber', this._phoneRequired() ? 'Phone number' : 'Phone number (optional)', { type: 'tel', autocomplete: 'tel' }, null, given.phone));
    }
  };

  // Countries whose addresses carry a postal code (most do; these are the exceptions).
  var NO_POSTAL = ['AE', 'HK'];
  var POSTAL_COUNTRIES = COUNTRIES.list.map(function (c) { return c[0]; }).filter(function (c) { return NO_POSTAL.indexOf(c) < 0; });

  AddressElement.prototype._phoneShown = function () {
    var f = this._opts.fields && this._opts.fields.phone;
    return f === 'always' || this._phoneRequired();
  };
  AddressElement.prototype._phoneRequired = function () {
    var v = this._opts.validation && this._opts.validation.phone;
    return !!(v && v.required === 'always');
  };

  AddressElement.prototype._value = function () {
    var i = this._inputs;
    function v(k) { return i[k] ? i[k].value.trim() : ''; }
    var value = {
      name: v('name'),
      address: { line1: v('addressLine1'), line2: v('addressLine2') || null, city: v('locality'),
        state: v('administrativeArea'), postal_code: v('postalCode'), country: v('country') || this._country }
    };
    if (this._phoneShown()) value.phone = v('phoneNumber');
    return value;
  };

  // The problems, field by field: what is required and empty, a US ZIP of the wrong shape.
  AddressElement.prototype._problems = function () {
    var i = this._inputs, out = {};
    ['name', 'addressLine1', 'locality', 'administrativeArea', 'postalCode'].forEach(function (k) {
      if (i[k] && !i[k].value.trim()) out[k] = INCOMPLETE;
    });
    if (i.phoneNumber && this._phoneRequired() && !i.phoneNumber.value.trim()) out.phoneNumber = INCOMPLETE;
    if (i.postalCode && isZip(this._country) && i.postalCode.value.trim() && !/^\d{5}(-\d{4})?$/.test(i.postalCode.value.trim())) {
      out.postalCode = 'Your ZIP is invalid.';
    }
    return out;
  };

  AddressElement.prototype._showError = function (name, message) {
    if (!this._inputs[name]) return;
    this._inputs[name].setAttribute('aria-invalid', message ? 'true' : 'false');
    this._errors[name].textContent = message || '';
  };

  AddressElement.prototype._changed = function () {
    var value = this._value(), a = value.address;
    this._emit('change', {
      elementType: 'address', elementMode: this._mode, isNewAddress: false,
      empty: !(value.name || a.line1 || a.line2 || a.city || a.postal_code),
      complete: Object.keys(this._problems()).length === 0, value: value
    });
  };

  // The first problem as a validation error, each shown under its field; or null.
  AddressElement.prototype._validate = function () {
    if (!this._root) return null;
    var problems = this._problems(), self = this, first = null;
    Object.keys(this._inputs).forEach(function (k) { self._showError(k, problems[k] || null); });
    Object.keys(problems).forEach(function (k) {
      if (!first) first = validationError('incomplete_' + k, problems[k]);
    });
    return first;
  };

  AddressElement.prototype.getValue = function () {
    if (!this._root) return Promise.reject(IntegrationError('getValue(): the Address Element is not mounted.'));
    return Promise.resolve({ complete: Object.keys(this._problems()).length === 0, isNewAddress: false, value: this._value() });
  };
  AddressElement.prototype.unmount = function () { unmountFrame(this); };
  AddressElement.prototype.destroy = function () {
    this.unmount();
    this._elements[this._mode === 'shipping' ? '_shipping' : '_billing'] = null;
    this._handlers = {};
  };
  AddressElement.prototype.focus = function () { if (this._inputs.name) this._inputs.name.focus(); };
  AddressElement.prototype.blur = function () {};
  AddressElement.prototype.clear = function () {
    var i = this._inputs;
    Object.keys(i).forEach(function (k) { if (k !== 'country') i[k].value = ''; });
    this._changed();
  };
  AddressElement.prototype.update = function (opts) { Object.assign(this._opts, opts || {}); };

  // The Link Authentication Element: the customer's email, which confirm passes on as the
  // payment method's `billing_details.email` (as Stripe's does). Paying with a Link account
  // is not offered: the customer continues as a guest, as with an email Link does not know.
  function LinkAuthenticationElement(elements, opts) {
    this._elements = elements;
    this._opts = opts;
    this._handlers = {};
    this._root = null;
  }
  withEvents(LinkAuthenticationElement, ['_applyAppearance']);

  LinkAuthenticationElement.prototype.mount = function (target, mountOpts) {
    mountFrame(this, target, 'Secure email input frame', 'p-pe', 'link-authentication-element', 'link-authentication');
    var wrap = el('div', { 'class': 'p-pe-field' });
    wrap.appendChild(el('label', { 'class': 'p-pe-label', 'for': 'email' }, 'Email'));
    var input = el('input', { id: 'email', name: 'email', type: 'email', 'class': 'p-pe-input', autocomplete: 'email', spellcheck: 'false', 'aria-invalid': 'false' });
    var given = (mountOpts && mountOpts.defaultValues) || this._opts.defaultValues || {};
    if (given.email) input.value = given.email;
    wrap.appendChild(input);
    this._error = el('div', { 'class': 'p-pe-error', id: 'email-error', role: 'alert' });
    wrap.appendChild(this._error);
    this._root.appendChild(wrap);
    this._input = input;
    var self = this;
    input.addEventListener('input', function () { self._showError(null); self._emit('change', self._event()); });
    input.addEventListener('focus', function () { self._emit('focus', { elementType: 'linkAuthentication' }); });
    input.addEventListener('blur', function () {
      if (input.value && !self._valid()) self._showError('Your email address is invalid.');
      self._emit('blur', { elementType: 'linkAuthentication' });
    });
    setTimeout(function () {
      self._emit('ready', { elementType: 'linkAuthentication' });
      if (input.value) self._emit('change', self._event());
    });
  };

  LinkAuthenticationElement.prototype._valid = function () {
    return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(this._input.value.trim());
  };
  LinkAuthenticationElement.prototype._showError = function (message) {
    this._error.textContent = message || '';
    this._input.setAttribute('aria-invalid', message ? 'true' : 'false');
  };
  LinkAuthenticationElement.prototype._event = function () {
    var email = this._input.value.trim();
    return { elementType: 'linkAuthentication', complete: this._valid(), empty: !email, value: { email: email } };
  };
  // The email to pass on, or null.
  LinkAuthenticationElement.prototype._email = function () {
    return this._root && this._valid() ? this._input.value.trim() : null;
  };
  LinkAuthenticationElement.prototype._validate = function () {
    if (!this._root || !this._input.value.trim() || this._valid()) return null;
    this._showError('Your email address is invalid.');
    return validationError('incomplete_email', 'Your email address is invalid.');
  };
  LinkAuthenticationElement.prototype.unmount = function () { unmountFrame(this); };
  LinkAuthenticationElement.prototype.destroy = function () {
    this.unmount();
    this._elements._link = null;
    this._handlers = {};
  };
  LinkAuthenticationElement.prototype.focus = function () { if (this._input) this._input.focus(); };
  LinkAuthenticationElement.prototype.blur = function () { if (this._input) this._input.blur(); };
  LinkAuthenticationElement.prototype.clear = function () {
    if (!this._input) return;
    this._input.value = '';
    this._emit('change', this._event());
  };
  LinkAuthenticationElement.prototype.update = function () {};

  // The wallet buttons (the Express Checkout Element, the Payment Request Button). In a
  // browser with no wallet, as Stripe draws them: no button, `ready` saying none is
  // available, never a click; pages that offer them fall back as they do on Stripe. With the
  // simulated wallet (`WALLET`), one button: a click fires `click` (its `resolve` may set the
  // sheet's options), then `confirm`, and confirmPayment with the elements pays with the
  // wallet's test card.
  var WALLET_NAMES = { apple_pay: 'Apple Pay', google_pay: 'Google Pay' };
  var WALLET_KEYS = { apple_pay: 'applePay', google_pay: 'googlePay' };
  // The card the simulated wallet holds, and who it belongs to.
  function walletCard() {
    return {
      type: 'card',
      card: { number: '4242424242424242', exp_month: 12, exp_year: new Date().getFullYear() + 5, cvc: '123' },
      billing_details: { name: 'Jenny Rosen', email: 'jenny.rosen@example.com',
        address: { line1: '354 Oyster Point Blvd', city: 'South San Francisco', state: 'CA', postal_code: '94080', country: 'US' } }
    };
  }
  function available() {
    if (!WALLET) return undefined;
    var out = { applePay: false, googlePay: false, link: false, paypal: false, amazonPay: false, klarna: false };
    out[WALLET_KEYS[WALLET]] = true;
    return out;
  }

  function WalletElement(elements, type, opts) {
    if (type === 'paymentRequestButton' && !(opts.paymentRequest instanceof PaymentRequest)) {
      throw IntegrationError('elements.create(\'paymentRequestButton\'): pass the `paymentRequest` made by stripe.paymentRequest().');
    }
    this._elements = elements;
    this._type = type;
    this._opts = opts;
    this._handlers = {};
    this._node = null;
    if (type === 'expressCheckout') elements._express = this;
  }
  withEvents(WalletElement);
  WalletElement.prototype.mount = function (target) {
    var node = mountNode(target);
    this._node = node;
    var self = this, type = this._type;
    if (WALLET) {
      this._frame = frameIn(node, type === 'expressCheckout' ? 'Secure express checkout frame' : 'Secure payment request button frame', type === 'expressCheckout' ? 'express-checkout' : 'payment-request-button');
      var button = el('button', { type: 'button', 'class': 'p-pe-tab p-wallet', 'data-testid': WALLET + '-button', 'aria-label': WALLET_NAMES[WALLET] }, WALLET_NAMES[WALLET]);
      var root = el('div', { 'class': 'p-pe' });
      root.appendChild(button);
      this._frame.doc.body.appendChild(root);
      this._frame.frame.style.height = '52px';
      button.addEventListener('click', function () { self._clicked(); });
    }
    setTimeout(function () {
      if (type === 'expressCheckout') {
        var methods = available();
        self._emit('ready', { elementType: type, availablePaymentMethods: methods });
        var change = {};
        Object.keys(methods || {}).forEach(function (k) { change[k] = { available: methods[k] }; });
        self._emit('availablepaymentmethodschange', { elementType: type, paymentMethods: methods ? change : undefined });
      } else {
        self._emit('ready', { elementType: type });
      }
    });
  };

  // The customer chose the wallet: the page's `click` handler may set the sheet's options
  // (`resolve`), then the sheet "returns" the wallet's card: `confirm` (Express Checkout)
  // or the payment request's `paymentmethod` event.
  WalletElement.prototype._clicked = function () {
    var self = this;
    if (this._type === 'paymentRequestButton') {
      var pr = this._opts.paymentRequest;
      pr._emit('click', { preventDefault: function () { pr._prevented = true; } });
      if (!pr._prevented) pr.show();
      pr._prevented = false;
      return;
    }
    var resolved = (this._handlers.click || []).length === 0;
    var go = function () {
      var card = walletCard();
      self._pending = true;
      self._emit('confirm', {
        elementType: 'expressCheckout', expressPaymentType: WALLET,
        billingDetails: { name: card.billing_details.name, email: card.billing_details.email, address: card.billing_details.address },
        paymentFailed: function () { self._pending = false; }
      });
    };
    this._emit('click', {
      elementType: 'expressCheckout', expressPaymentType: WALLET,
      resolve: function () { if (!resolved) { resolved = true; go(); } },
      reject: function () { resolved = true; }
    });
    if (resolved && (this._handlers.click || []).length === 0) go();
  };
  WalletElement.prototype.unmount = function () { this._node = null; };
  WalletElement.prototype.destroy = function () { this._node = null; this._handlers = {}; };
  WalletElement.prototype.update = function () {};
  WalletElement.prototype.focus = function () {};
  WalletElement.prototype.blur = function () {};

  // `stripe.paymentRequest(options)`: Apple Pay and Google Pay through the browser's
  // Payment Request API, which has no wallet here: `canMakePayment()` resolves null, as
  // Stripe's does in such a browser.
  function PaymentRequest(api, options) {
    options = options || {};
    this._api = api;
    ['country', 'currency'].forEach(function (k) {
      if (typeof options[k] !== 'string') throw IntegrationError('Missing value for paymentRequest(): ' + k + ' should be a string.');
    });
    if (!options.total || typeof options.total.amount !== 'number' || typeof options.total.label !== 'string') {
      throw IntegrationError('Missing value for paymentRequest(): total should be an object with a `label` and an `amount`.');
    }
    this._options = options;
    this._handlers = {};
  }
  withEvents(PaymentRequest);
  PaymentRequest.prototype.canMakePayment = function () {
    if (!WALLET) return Promise.resolve(null);
    var out = { applePay: WALLET === 'apple_pay', googlePay: WALLET === 'google_pay', link: false };
    return Promise.resolve(out);
  };
  // The sheet: with the simulated wallet, its card becomes a PaymentMethod and the
  // `paymentmethod` event carries it, with `complete(status)` to close the sheet.
  PaymentRequest.prototype.show = function () {
    if (!WALLET) {
      throw IntegrationError('paymentRequest.show(): no wallet is available in this browser (canMakePayment() resolved null).');
    }
    var self = this, card = walletCard();
    this._api.call('POST', '/v1/payment_methods', card).then(function (r) {
      if (r.json.error) { self._emit('cancel', {}); return; }
      self._emit('paymentmethod', {
        paymentMethod: r.json, walletName: WALLET_KEYS[WALLET] === 'applePay' ? 'applePay' : 'googlePay',
        payerName: card.billing_details.name, payerEmail: card.billing_details.email, payerPhone: null,
        complete: function () {}
      });
    });
  };
  PaymentRequest.prototype.update = function (options) { Object.assign(this._options, options || {}); };
  PaymentRequest.prototype.abort = function () {};
  PaymentRequest.prototype.isShowing = function () { return false; };

  // What confirm sends for the chosen method: `payment_method_data` of its type.
  PaymentElement.prototype._methodData = function () {
    if (this._selected !== 'card') return { type: this._selected };
    var v = this._values(), exp = digits(v.expiry);
    var data = {
      type: 'card',
      card: { number: digits(v.number), exp_month: +exp.slice(0, 2), exp_year: 2000 + +exp.slice(2, 4), cvc: digits(v.cvc) }
    };
    if (SPLIT[this._kind] ? this._postal() : this._askAddress) {
      var address = {};
      if (v.country) address.country = v.country;
      if (this._postal() && v.postalCode.trim()) address.postal_code = v.postalCode.trim();
      data.billing_details = { address: address };
    }
    // Saved with the customer's consent: the Payment Element may show it next time.
    if (this._saving()) data.allow_redisplay = 'always';
    return data;
  };

  // The merchant's `payment_method_data` with what the customer typed; the address the
  // element collected joins the billing details the merchant passed.
  function mergeMethodData(given, typed) {
    given = given || {};
    var out = Object.assign({}, given, typed);
    if (typed.billing_details) {
      var merchant = given.billing_details || {};
      // What the element collected (an address; a wallet's name and email too), the
      // merchant's own details over it, the collected address over the merchant's.
      out.billing_details = Object.assign({}, typed.billing_details, merchant, {
        address: Object.assign({}, merchant.address || {}, typed.billing_details.address)
      });
    }
    return out;
  }

  // Whether the customer ticked "Save payment details for future purchases".
  PaymentElement.prototype._saving = function () {
    return !this._savedChoice && this._selected === 'card' && !!(this._fields.save && this._fields.save.checked);
  };

  // `{payment_method: {card: cardElement, ...}}` (confirmCardPayment, confirmCardSetup) or
  // `{type: 'card', card: cardElement}` (createPaymentMethod): the element's card data, or
  // {error} when the fields are not complete.
  function withCardElement(data) {
    var holder = data && data.payment_method && typeof data.payment_method === 'object' ? data.payment_method : data;
    if (!holder || !(holder.card instanceof PaymentElement)) return { data: data };
    var card = holder.card;
    if (!card._root) return { error: validationError('incomplete', 'The Card Element is not mounted.') };
    var error = card._validate(true);
    if (error) return { error: error };
    var copy = Object.assign({}, data);
    var method = mergeMethodData(holder, card._methodData());
    delete method.type;
    if (holder.type) method.type = holder.type;
    if (holder === data) return { data: method };
    copy.payment_method = method;
    return { data: copy };
  }

  // The first problem of the group's Address Elements (each shown in place), or null.
  function addressProblem(elements) {
    var problem = null;
    [elements._shipping, elements._billing].forEach(function (a) {
      var e = a && a._validate();
      if (!problem && e) problem = e;
    });
    return problem;
  }

  // confirmPayment / confirmSetup with {elements}: checks the fields, then confirms the
  // intent with the method the customer chose (merged into confirmParams).
  function confirmWithElements(api, name, kind, options) {
    var elements = options.elements;
    var pe = elements._payment;
    var express = elements._express && elements._express._pending;
    if (express) {
      // The Express Checkout Element's `confirm`: the wallet's card pays.
      elements._express._pending = false;
      pe = { _validate: function () { return null; }, _methodData: walletCard, _saving: function () { return false; } };
    }
    if (!pe || (!express && !pe._root)) return Promise.reject(IntegrationError('stripe.' + name + '(): the `elements` instance has no mounted Payment Element.'));
    var secret = options.clientSecret || elements._options.clientSecret;
    if (!secret) return Promise.reject(IntegrationError('stripe.' + name + '(): pass the `clientSecret` of the intent (elements was created without one).'));
    var confirmParams = options.confirmParams || {};
    if (!confirmParams.return_url && options.redirect !== 'if_required') {
      return Promise.reject(IntegrationError('stripe.' + name + '(): the `confirmParams.return_url` argument is required unless passing `redirect: \'if_required\'`'));
    }
    var intent;
    try { intent = parseSecret('stripe.' + name, secret, kind); } catch (e) { return Promise.reject(e); }
    var error = pe._validate(true) || (!express && ((elements._link && elements._link._validate()) || addressProblem(elements)));
    if (error) return Promise.resolve({ error: error });
    var params = Object.assign({}, confirmParams);
    // A shipping Address Element's address is the intent's shipping (a PaymentIntent's).
    if (elements._shipping && elements._shipping._root && kind === 'payment_intent' && !params.shipping) {
      var ship = elements._shipping._value();
      params.shipping = { name: ship.name, address: ship.address };
      if (ship.phone) params.shipping.phone = ship.phone;
    }
    if (pe._savedChoice) {
      // A saved method the customer chose: the intent is confirmed with it.
      params.payment_method = pe._savedChoice.id;
      delete params.payment_method_data;
    } else {
      params.payment_method_data = mergeMethodData(confirmParams.payment_method_data, pe._methodData());
      // A billing Address Element's name, address and phone join the billing details.
      if (elements._billing && elements._billing._root) {
        var typed = elements._billing._value(), details = params.payment_method_data.billing_details || {};
        params.payment_method_data.billing_details = Object.assign({}, details, {
          name: details.name || typed.name, address: typed.address
        }, typed.phone ? { phone: typed.phone } : {});
      }
      // The Link Authentication Element's email, unless the merchant passed one.
      var email = elements._link && elements._link._email();
      if (email) {
        var billing = params.payment_method_data.billing_details || {};
        if (!billing.email) params.payment_method_data.billing_details = Object.assign({}, billing, { email: email });
      }
      // A PaymentIntent saves the card as the customer session says.
      if (pe._saving() && kind === 'payment_intent' && !params.setup_future_usage) {
        params.setup_future_usage = (elements._save && elements._save.usage) || 'off_session';
      }
    }
    return api.confirm(intent, params, { redirect: options.redirect });
  }
