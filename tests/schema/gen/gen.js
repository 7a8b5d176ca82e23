#!/usr/bin/env node
// Generates ../objects.json: OpenAPI-style schemas of the Stripe objects Pasarela returns,
// read from the official stripe-node package's type declarations (cjs/resources/*.d.ts,
// which Stripe generates from its OpenAPI spec) with the TypeScript compiler API; and
// ../versions/<API version>.json, the same for each older API version Pasarela serves, from a
// stripe-node release that pinned (typed) it (package.json installs each as `stripe-<version>`;
// tests/schema/README.md says which and why).
//
//   tests/schema/gen/regen.sh        (npm ci, pip install stripe-python, node gen.js)
//   node gen.js [newest|2020-08-27 ...]   (default: all; the old ones read objects.json)
//
// Rules (what the declarations say, turned into a schema):
//   - a property without `?` is in `required` (Stripe always sends it, null when empty);
//   - `| null` gives `nullable: true`;
//   - a union of string literals is an `enum` (Stripe's `| OtherString` tail, "more values may
//     come", is dropped: the listed values are the documented ones);
//   - `string | Stripe.Customer` (an expandable field) is `anyOf` [id string, the object];
//   - `Stripe.Metadata` and other index signatures are `additionalProperties`; every other
//     object is closed (a property it does not declare is not Stripe's);
//   - `ApiList<T>` (an embedded list such as a charge's `refunds`) is inlined with its items
//     typed `T`;
//   - `number` is `integer` where the official stripe-python package of the same API version
//     annotates the field `int` (py_numbers.py), else `number`. The old versions' numbers (the
//     oldest stripe-python releases have no annotations) take objects.json's decision for the
//     same (schema, field), else the one objects.json makes for most fields of that name, else
//     `integer` for amounts and timestamps and `number` for the rest (OLD_NUMBER_RULE);
//   - `Decimal` travels as a string.
// Names follow the SDK: `PaymentIntent`, `PaymentIntent.NextAction.RedirectToUrl`,
// `DeletedCustomer`, `Event`, `List`, `SearchResult`, `Error`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const {execFileSync} = require('node:child_process');
const ts = require('typescript');

const HERE = __dirname;
const PY_STRIPE = process.env.STRIPE_PYTHON_DIR || path.join(HERE, '.deps', 'stripe');
const NEWEST_DEST = path.join(HERE, '..', 'objects.json');
const tsVersion = ts.version;

// The older API versions Pasarela serves; package.json installs a stripe-node release that
// pinned each as `stripe-<version>`.
const OLD_VERSIONS = ['2019-12-03', '2020-03-02', '2020-08-27', '2022-08-01', '2022-11-15',
  '2023-08-16', '2023-10-16', '2024-04-10'];

// The objects Pasarela returns (and those its errors embed): file -> [export, or export=Name].
const ROOTS = {
  'resources/PaymentIntents.d.ts': ['PaymentIntent'],
  'resources/SetupIntents.d.ts': ['SetupIntent'],
  'resources/Customers.d.ts': ['Customer', 'DeletedCustomer'],
  'resources/PaymentMethods.d.ts': ['PaymentMethod'],
  'resources/Mandates.d.ts': ['Mandate'],
  'resources/Charges.d.ts': ['Charge'],
  'resources/Refunds.d.ts': ['Refund'],
  'resources/BalanceTransactions.d.ts': ['BalanceTransaction'],
  'resources/WebhookEndpoints.d.ts': ['WebhookEndpoint', 'DeletedWebhookEndpoint'],
  'resources/CustomerSessions.d.ts': ['CustomerSession'],
  'resources/Checkout/Sessions.d.ts': ['Session'],
  'resources/Products.d.ts': ['Product', 'DeletedProduct'],
  'resources/Prices.d.ts': ['Price'],
  'resources/LineItems.d.ts': ['LineItem'],
  'resources/Events.d.ts': ['EventBase=Event'], // `Event` itself is the union of typed events
  'resources/Accounts.d.ts': ['Account'],
  'resources/Balance.d.ts': ['Balance'],
  'lib.d.ts': ['ApiList=List', 'ApiSearchResult=SearchResult'],
  'Types.d.ts': ['StripeRawError=Error.Object'],
};
// The same roots in stripe-node <= 15, which declares everything inside `namespace Stripe` of
// `declare module 'stripe'` (types/<version>/*.d.ts up to 10, types/*.d.ts from 11): names in
// that namespace, `a|b` for the first that exists (`EventBase` from 13, a plain `Event` before).
const OLD_ROOTS = ['PaymentIntent', 'SetupIntent', 'Customer', 'DeletedCustomer', 'PaymentMethod',
  'Mandate', 'Charge', 'Refund', 'BalanceTransaction', 'WebhookEndpoint', 'DeletedWebhookEndpoint',
  'CustomerSession', 'Checkout.Session', 'Product', 'DeletedProduct', 'Price', 'LineItem',
  'EventBase|Event=Event', 'Account', 'Balance', 'ApiList=List', 'ApiSearchResult=SearchResult', 'StripeRawError=Error.Object'];
// Fields of StripeRawError that stripe-node adds on its side; they are not in the JSON.
const SDK_ONLY_ERROR_FIELDS = new Set(['headers', 'statusCode', 'requestId', 'detail', 'exception']);

// The state of the generation under way (one SDK at a time).
let checker; // the TypeScript type checker of that SDK's declarations
let RES; // the folder of its resource declarations (subfolders prefix names: `Checkout.`)
let numberType; // (owner schema, field) -> 'integer' | 'number'
let numberStats;
let schemas;
let owners; // schema name -> symbol, to refuse two types under one name

// ---------------------------------------------------------------------------------------------
// integers: stripe-python's annotations (newest), objects.json's decisions (old versions)
// ---------------------------------------------------------------------------------------------
// The few objects the two SDKs name differently.
const PYTHON_NAMES = {FeeRefund: 'ApplicationFeeRefund', DeletedDiscount: 'Discount'};

function pythonNumbers(apiVersion) {
  if (!fs.existsSync(path.join(PY_STRIPE, '_api_version.py'))) {
    throw new Error(`stripe-python not found at ${PY_STRIPE}: run regen.sh (or set STRIPE_PYTHON_DIR)`);
  }
  const pyVersion = fs.readFileSync(path.join(PY_STRIPE, '_version.py'), 'utf8').match(/VERSION\s*=\s*"([^"]+)"/)[1];
  const pyApiVersion = fs.readFileSync(path.join(PY_STRIPE, '_api_version.py'), 'utf8').match(/CURRENT\s*=\s*"([^"]+)"/)[1];
  if (pyApiVersion !== apiVersion) {
    throw new Error(`stripe-python ${pyVersion} is API ${pyApiVersion}, stripe-node ${numberStats.sdk} is ${apiVersion}`);
  }
  const NUMBERS = JSON.parse(execFileSync(process.env.PYTHON || 'python3',
    [path.join(HERE, 'py_numbers.py'), PY_STRIPE], {encoding: 'utf8', maxBuffer: 64 << 20}));
  numberStats.py = pyVersion;
  return (owner, prop) => {
    const py = owner && (PYTHON_NAMES[owner] || owner);
    const kind = py && NUMBERS[py] && NUMBERS[py][prop];
    if (kind) {
      numberStats[kind]++;
      return kind;
    }
    numberStats.unknown.push(`${owner}.${prop}`);
    return 'number';
  };
}

// The oldest stripe-python releases have no annotations; every old version's numbers follow objects.json:
// its decision for the same (schema, field) — keyed as gen.js names owners, an inline object
// being `Owner.field` — else the one it makes for most fields of that name, else this rule.
const OLD_NUMBER_RULE = /amount|^tax$|^created$|_at$|date$/; // amounts and timestamps are integers

function newestNumbers() {
  const spec = JSON.parse(fs.readFileSync(NEWEST_DEST, 'utf8')).components.schemas;
  const byField = new Map(); // `${owner}\0${prop}` -> kind
  const byName = new Map(); // prop -> {integer: n, number: n}
  const kindsOf = (s, out) => {
    if (!s || typeof s !== 'object') return out;
    if (s.type === 'integer' || s.type === 'number') out.add(s.type);
    for (const b of s.anyOf || []) kindsOf(b, out);
    kindsOf(s.items, out);
    if (!s.properties) kindsOf(s.additionalProperties, out); // a map field: its values' numbers
    return out;
  };
  const inlineObjects = (s, out) => {
    if (!s || typeof s !== 'object' || s.$ref) return out;
    if (s.properties) out.push(s);
    for (const b of s.anyOf || []) inlineObjects(b, out);
    inlineObjects(s.items, out);
    return out;
  };
  const walk = (s, owner) => {
    const fields = Object.entries(s.properties || {});
    if (s.additionalProperties && typeof s.additionalProperties === 'object') fields.push(['*', s.additionalProperties]);
    for (const [prop, ps] of fields) {
      const kinds = kindsOf(ps, new Set());
      if (kinds.size === 1) {
        const [kind] = kinds;
        byField.set(`${owner}\0${prop}`, kind);
        if (!byName.has(prop)) byName.set(prop, {integer: 0, number: 0});
        byName.get(prop)[kind]++;
      }
      for (const inner of inlineObjects(ps, [])) walk(inner, `${owner}.${prop}`);
    }
  };
  for (const [name, s] of Object.entries(spec)) walk(s, name);
  return (owner, prop) => {
    let kind = byField.get(`${owner}\0${prop}`);
    let rule = 'field';
    const votes = byName.get(prop);
    if (!kind && votes && votes.integer !== votes.number) {
      [kind, rule] = [votes.integer > votes.number ? 'integer' : 'number', 'name'];
    }
    if (!kind) [kind, rule] = [OLD_NUMBER_RULE.test(prop) ? 'integer' : 'number', 'rule'];
    numberStats[rule].push(`${owner}.${prop}=${kind}`);
    return kind;
  };
}

// ---------------------------------------------------------------------------------------------
// the walk
// ---------------------------------------------------------------------------------------------
// "PaymentIntent.NextAction"; objects under resources/Checkout/ get "Checkout." first.
// (Old SDKs' names are `"stripe".Stripe.PaymentIntent`, Checkout's `...Stripe.Checkout.Session`.)
function schemaName(symbol) {
  const decl = symbol.declarations && symbol.declarations[0];
  const file = decl ? decl.getSourceFile().fileName : '';
  let name = checker.getFullyQualifiedName(symbol).replace(/^"[^"]*"\./, '').replace(/^Stripe\./, '');
  const rel = path.relative(RES, path.dirname(file));
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) {
    const prefix = rel.split(path.sep).join('.');
    if (!name.startsWith(prefix + '.')) name = `${prefix}.${name}`;
  }
  return name;
}

function description(symbol) {
  if (!symbol) return '';
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim();
  const first = text.split(/(?<=\.)\s/)[0];
  return first.length > 200 ? `${first.slice(0, 197)}...` : first;
}

const isOtherString = (t) => t.isIntersection() && t.types.some((x) => x.flags & ts.TypeFlags.String);

function isGenericInstance(type) {
  return (ts.getObjectFlags(type) & ts.ObjectFlags.Reference) && checker.getTypeArguments(type).length > 0;
}

// ctx: {owner: the schema name whose property this is, prop: the property name}
function toSchema(type, ctx) {
  if (type.isUnion()) return unionSchema(type, ctx);
  if (type.flags & ts.TypeFlags.String) return {type: 'string'};
  if (type.isStringLiteral()) return {type: 'string', enum: [type.value]};
  if (type.flags & ts.TypeFlags.Number) return {type: numberType(ctx.owner, ctx.prop)};
  if (type.isNumberLiteral()) return {type: 'number', enum: [type.value]};
  if (type.flags & ts.TypeFlags.BooleanLiteral) return {type: 'boolean', enum: [checker.typeToString(type) === 'true']};
  if (type.flags & ts.TypeFlags.Boolean) return {type: 'boolean'};
  if (type.flags & ts.TypeFlags.Null) return {nullable: true};
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter)) return {};
  if (isOtherString(type)) return {type: 'string'};
  if (checker.isArrayType(type)) {
    return {type: 'array', items: toSchema(checker.getTypeArguments(type)[0], ctx)};
  }
  if (type.flags & ts.TypeFlags.Object || type.isIntersection()) return objectRef(type, ctx);
  throw new Error(`${ctx.owner}.${ctx.prop}: no rule for type ${checker.typeToString(type)}`);
}

function unionSchema(type, ctx) {
  let nullable = false;
  let open = false; // `| OtherString`
  let bools = 0;
  const literals = [];
  const parts = [];
  for (const t of type.types) {
    if (t.flags & ts.TypeFlags.Null) nullable = true;
    else if (t.flags & ts.TypeFlags.Undefined) continue; // an optional property
    else if (t.isStringLiteral()) literals.push(t.value);
    else if (t.flags & ts.TypeFlags.BooleanLiteral) bools++;
    else if (isOtherString(t)) open = true;
    else parts.push(toSchema(t, ctx));
  }
  if (bools) parts.push({type: 'boolean'});
  const plainString = parts.some((p) => p.type === 'string' && !p.enum && !p.format);
  if (literals.length && !plainString) parts.push({type: 'string', enum: literals});
  else if (open && !literals.length && !plainString) parts.push({type: 'string'});
  const unique = dedupe(parts);
  let s = unique.length === 1 ? unique[0] : unique.length === 0 ? {} : {anyOf: unique};
  if (nullable) s = {...s, nullable: true};
  return s;
}

function dedupe(parts) {
  const seen = new Set();
  return parts.filter((p) => {
    const k = JSON.stringify(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// An object type: a $ref to its named schema (made on first sight), or inline.
function objectRef(type, ctx) {
  const symbol = type.aliasSymbol || type.getSymbol();
  if (symbol && /^Decimal(Impl)?$/.test(symbol.name)) return {type: 'string', format: 'decimal'};
  const props = checker.getPropertiesOfType(type).filter(isField);
  const index = checker.getIndexInfosOfType(type);
  if (!props.length && index.length) {
    // Metadata and other maps
    return {type: 'object', additionalProperties: toSchema(index[0].type, ctx)};
  }
  // Stripe documents no fields here (`amazon_pay: {}`): a closed empty object, inline.
  if (!props.length) return {type: 'object', properties: {}};
  const named = symbol && !symbol.name.startsWith('__') && !isGenericInstance(type);
  if (!named) return objectSchema(type, symbol, ctx.owner ? `${ctx.owner}.${ctx.prop}` : undefined);
  const name = schemaName(symbol);
  const seen = owners.get(name);
  if (seen && seen !== symbol) throw new Error(`two types are named ${name}`);
  if (!seen) {
    owners.set(name, symbol);
    schemas[name] = {}; // a placeholder against cycles
    schemas[name] = objectSchema(type, symbol, name);
  }
  return {$ref: `#/components/schemas/${name}`};
}

function isField(prop) {
  const decl = prop.valueDeclaration || (prop.declarations && prop.declarations[0]);
  return decl && !ts.isMethodSignature(decl) && !ts.isMethodDeclaration(decl);
}

function objectSchema(type, symbol, name) {
  const properties = {};
  const required = [];
  for (const prop of checker.getPropertiesOfType(type)) {
    if (!isField(prop)) continue;
    if (name === 'Error.Object' && SDK_ONLY_ERROR_FIELDS.has(prop.name)) continue;
    const decl = prop.valueDeclaration || prop.declarations[0];
    const pt = checker.getTypeOfSymbolAtLocation(prop, decl);
    // `deleted?: void` on a live object: the field is never there.
    if ((pt.isUnion() ? pt.types : [pt]).every((t) => t.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined))) continue;
    const s = toSchema(pt, {owner: name, prop: prop.name});
    const d = description(prop);
    properties[prop.name] = d ? {...s, description: d} : s;
    if (!(prop.flags & ts.SymbolFlags.Optional)) required.push(prop.name);
  }
  const out = {type: 'object', properties};
  if (required.length) out.required = required;
  const index = checker.getIndexInfosOfType(type);
  if (index.length) out.additionalProperties = toSchema(index[0].type, {owner: name, prop: '*'});
  const d = description(symbol);
  if (d) out.description = d;
  return out;
}

function addRoot(sym, rename) {
  if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
  const name = rename || schemaName(sym);
  if (owners.has(name) && owners.get(name) !== sym) throw new Error(`two types are named ${name}`);
  owners.set(name, sym);
  schemas[name] = {};
  schemas[name] = objectSchema(checker.getDeclaredTypeOfSymbol(sym), sym, name);
}

function start(program, res, sdk) {
  checker = program.getTypeChecker();
  RES = res;
  schemas = {};
  owners = new Map();
  numberStats = {sdk, integer: 0, number: 0, unknown: [], field: [], name: [], rule: []};
}

// stripe-node >= 16: each resource file exports its types.
function readNewest() {
  const STRIPE = path.join(HERE, 'node_modules', 'stripe');
  const CJS = path.join(STRIPE, 'cjs');
  const sdkVersion = JSON.parse(fs.readFileSync(path.join(STRIPE, 'package.json'), 'utf8')).version;
  const apiVersion = require(path.join(CJS, 'apiVersion.js')).ApiVersion;
  const files = Object.keys(ROOTS).map((f) => path.join(CJS, f));
  const program = ts.createProgram(files, {strict: true, skipLibCheck: true, noEmit: true});
  start(program, path.join(CJS, 'resources'), sdkVersion);
  numberType = pythonNumbers(apiVersion);
  for (const [file, entries] of Object.entries(ROOTS)) {
    const sf = program.getSourceFile(path.join(CJS, file));
    if (!sf) throw new Error(`missing ${file}`);
    const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(sf));
    for (const entry of entries) {
      const [exportName, rename] = entry.split('=');
      const sym = exports.find((e) => e.name === exportName);
      if (!sym) throw new Error(`no export ${exportName} in ${file}`);
      addRoot(sym, rename);
    }
  }
  return {sdkVersion, apiVersion, missing: [],
    source: `npm stripe@${sdkVersion} (cjs/resources/*.d.ts, lib.d.ts, Types.d.ts) read with npm typescript@${tsVersion}`,
    integers: `PyPI stripe==${numberStats.py} type annotations (int vs float)`};
}

// stripe-node <= 15 (package `stripe-<version>`): ambient `declare module 'stripe'` files under
// the package's `types` entry. `stripe` is mapped to this package so that nothing in it (lib.d.ts
// augments `stripe`) can resolve to the newest SDK installed beside it.
function readOld(version) {
  const pkg = `stripe-${version}`;
  const STRIPE = path.join(HERE, 'node_modules', pkg);
  const meta = JSON.parse(fs.readFileSync(path.join(STRIPE, 'package.json'), 'utf8'));
  const entry = path.join(STRIPE, meta.types);
  const typed = fs.readFileSync(path.join(STRIPE, 'types', 'lib.d.ts'), 'utf8').match(/LatestApiVersion = '([^']+)'/)[1];
  if (typed !== version) throw new Error(`${pkg} (stripe ${meta.version}) types API ${typed}, not ${version}`);
  const program = ts.createProgram([entry], {strict: true, skipLibCheck: true, noEmit: true,
    baseUrl: HERE, paths: {stripe: [path.relative(HERE, entry)]}});
  const res = path.dirname(entry); // types/<version>/ up to stripe-node 10, types/ after
  start(program, res, meta.version);
  numberType = newestNumbers();
  const ambient = checker.getAmbientModules().find((m) => m.name === '"stripe"');
  const ns = checker.getExportsOfModule(ambient).find((e) => e.name === 'Stripe');
  const lookup = (dotted) => dotted.split('.').reduce(
    (sym, part) => sym && checker.getExportsOfModule(sym).find((e) => e.name === part), ns);
  const missing = [];
  for (const root of OLD_ROOTS) {
    const [names, rename] = root.split('=');
    const found = names.split('|').map(lookup).find(Boolean);
    if (found) addRoot(found, rename || names);
    else missing.push(rename || names);
  }
  return {sdkVersion: meta.version, apiVersion: version, missing,
    source: `npm stripe@${meta.version} (${meta.types} and the declarations it references) read with npm typescript@${tsVersion}`,
    integers: 'as tests/schema/objects.json decides (stripe-python\'s annotations): its decision for the same ' +
      '(schema, field), else its decision for most fields of that name, else integer for amounts and ' +
      `timestamps (${OLD_NUMBER_RULE}) and number for the rest`};
}

// ---------------------------------------------------------------------------------------------
// what the declarations cannot say
// ---------------------------------------------------------------------------------------------
function finish(newestErrorTypes) {
  // An event carries any object (checked by its own `object`) and the prior values of what changed.
  schemas['Event.Data'].properties.object = {
    description: schemas['Event.Data'].properties.object.description,
  };
  schemas['Event.Data'].properties.previous_attributes = {
    type: 'object',
    additionalProperties: true,
    description: schemas['Event.Data'].properties.previous_attributes.description,
  };
  if (!schemas['Error.Object']) return; // stripe-node 8.24 declares no raw error
  // The raw error's `type` says "One of `api_error`, `card_error`, ..." for the v1 API; its
  // declared union also holds the v2 and OAuth error types, which a v1 response never carries.
  // Old SDKs do not document it: the newest's documented values, those they declare.
  {
    const t = schemas['Error.Object'].properties.type;
    const raw = checker.getDeclaredTypeOfSymbol(owners.get('Error.Object')).getProperty('type');
    const doc = ts.displayPartsToString(raw.getDocumentationComment(checker));
    let documented = [...doc.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
    if (!documented.length && newestErrorTypes) documented = newestErrorTypes.filter((v) => t.enum.includes(v));
    if (!documented.length || documented.some((v) => !t.enum.includes(v))) {
      throw new Error(`Error.Object.type: cannot read the documented values from ${JSON.stringify(t)}`);
    }
    t.enum = documented;
  }
  // The body of every error response; the SDK declares the inside only.
  schemas.Error = {
    type: 'object',
    description: 'The body of every error response: {"error": Error.Object}.',
    properties: {error: {$ref: '#/components/schemas/Error.Object'}},
    required: ['error'],
  };
}

function write(dest, got) {
  const out = {
    openapi: '3.0.0',
    info: {
      title: 'Stripe objects, from the official SDK type declarations',
      source: got.source,
      integers: got.integers,
      api_version: got.apiVersion,
      sdk_version: got.sdkVersion,
      ...(got.missing.length ? {missing_roots: got.missing} : {}),
      generated_by: 'tests/schema/gen/gen.js (regenerate: tests/schema/gen/regen.sh)',
    },
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    },
  };
  fs.mkdirSync(path.dirname(dest), {recursive: true});
  fs.writeFileSync(dest, `${JSON.stringify(out, null, 1)}\n`);
  console.log(`${Object.keys(schemas).length} schemas -> ${path.relative(process.cwd(), dest)} ` +
    `(${fs.statSync(dest).size} bytes), stripe-node ${got.sdkVersion}, API ${got.apiVersion}` +
    `${got.missing.length ? `; not declared there: ${got.missing.join(', ')}` : ''}`);
}

const targets = process.argv.slice(2);
for (const target of targets.length ? targets : ['newest', ...OLD_VERSIONS]) {
  if (target === 'newest') {
    const got = readNewest();
    finish();
    write(NEWEST_DEST, got);
    console.log(`numbers: ${numberStats.integer} integer and ${numberStats.number} number by stripe-python ${numberStats.py}; ` +
      `${numberStats.unknown.length} not annotated there, left number${numberStats.unknown.length ? ': ' + numberStats.unknown.join(', ') : ''}`);
  } else if (OLD_VERSIONS.includes(target)) {
    const newestErrorTypes = JSON.parse(fs.readFileSync(NEWEST_DEST, 'utf8'))
      .components.schemas['Error.Object'].properties.type.enum;
    const got = readOld(target);
    finish(newestErrorTypes);
    write(path.join(HERE, '..', 'versions', `${target}.json`), got);
    const s = numberStats;
    console.log(`numbers: ${s.field.length} as objects.json's same field, ${s.name.length} as most of its fields of that name, ` +
      `${s.rule.length} by the rule${s.rule.length ? ': ' + s.rule.join(', ') : ''}`);
  } else {
    throw new Error(`unknown target ${target}: newest or one of ${OLD_VERSIONS.join(', ')}`);
  }
}
