#!/usr/bin/env node
// Generates ../objects.json: OpenAPI-style schemas of the Stripe objects Pasarela returns,
// read from the official stripe-node package's type declarations (cjs/resources/*.d.ts,
// which Stripe generates from its OpenAPI spec) with the TypeScript compiler API.
//
//   tests/schema/gen/regen.sh        (npm ci, pip install stripe-python, node gen.js)
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
//     annotates the field `int` (py_numbers.py), else `number`;
//   - `Decimal` travels as a string.
// Names follow the SDK: `PaymentIntent`, `PaymentIntent.NextAction.RedirectToUrl`,
// `DeletedCustomer`, `Event`, `List`, `SearchResult`, `Error`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const {execFileSync} = require('node:child_process');
const ts = require('typescript');

const HERE = __dirname;
const STRIPE = path.join(HERE, 'node_modules', 'stripe');
const CJS = path.join(STRIPE, 'cjs');
const RES = path.join(CJS, 'resources');
const DEST = path.join(HERE, '..', 'objects.json');
const PY_STRIPE = process.env.STRIPE_PYTHON_DIR || path.join(HERE, '.deps', 'stripe');

const sdkVersion = JSON.parse(fs.readFileSync(path.join(STRIPE, 'package.json'), 'utf8')).version;
const tsVersion = ts.version;
const apiVersion = require(path.join(CJS, 'apiVersion.js')).ApiVersion;

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
  'lib.d.ts': ['ApiList=List', 'ApiSearchResult=SearchResult'],
  'Types.d.ts': ['StripeRawError=Error.Object'],
};
// Fields of StripeRawError that stripe-node adds on its side; they are not in the JSON.
const SDK_ONLY_ERROR_FIELDS = new Set(['headers', 'statusCode', 'requestId', 'detail', 'exception']);

// ---------------------------------------------------------------------------------------------
// integers: stripe-python's annotations
// ---------------------------------------------------------------------------------------------
if (!fs.existsSync(path.join(PY_STRIPE, '_api_version.py'))) {
  throw new Error(`stripe-python not found at ${PY_STRIPE}: run regen.sh (or set STRIPE_PYTHON_DIR)`);
}
const pyVersion = fs.readFileSync(path.join(PY_STRIPE, '_version.py'), 'utf8').match(/VERSION\s*=\s*"([^"]+)"/)[1];
const pyApiVersion = fs.readFileSync(path.join(PY_STRIPE, '_api_version.py'), 'utf8').match(/CURRENT\s*=\s*"([^"]+)"/)[1];
if (pyApiVersion !== apiVersion) {
  throw new Error(`stripe-python ${pyVersion} is API ${pyApiVersion}, stripe-node ${sdkVersion} is ${apiVersion}`);
}
const NUMBERS = JSON.parse(execFileSync(process.env.PYTHON || 'python3',
  [path.join(HERE, 'py_numbers.py'), PY_STRIPE], {encoding: 'utf8', maxBuffer: 64 << 20}));
const numberStats = {integer: 0, number: 0, unknown: []};

// The few objects the two SDKs name differently.
const PYTHON_NAMES = {FeeRefund: 'ApplicationFeeRefund', DeletedDiscount: 'Discount'};

function numberType(owner, prop) {
  const py = owner && (PYTHON_NAMES[owner] || owner);
  const kind = py && NUMBERS[py] && NUMBERS[py][prop];
  if (kind) {
    numberStats[kind]++;
    return kind;
  }
  numberStats.unknown.push(`${owner}.${prop}`);
  return 'number';
}

// ---------------------------------------------------------------------------------------------
// the walk
// ---------------------------------------------------------------------------------------------
const files = Object.keys(ROOTS).map((f) => path.join(CJS, f));
const program = ts.createProgram(files, {strict: true, skipLibCheck: true, noEmit: true});
const checker = program.getTypeChecker();
const schemas = {};
const owners = new Map(); // schema name -> symbol, to refuse two types under one name

// "PaymentIntent.NextAction"; objects under resources/Checkout/ get "Checkout." first.
function schemaName(symbol) {
  const decl = symbol.declarations && symbol.declarations[0];
  const file = decl ? decl.getSourceFile().fileName : '';
  let name = checker.getFullyQualifiedName(symbol).replace(/^"[^"]*"\./, '');
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

for (const [file, entries] of Object.entries(ROOTS)) {
  const sf = program.getSourceFile(path.join(CJS, file));
  if (!sf) throw new Error(`missing ${file}`);
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(sf));
  for (const entry of entries) {
    const [exportName, rename] = entry.split('=');
    let sym = exports.find((e) => e.name === exportName);
    if (!sym) throw new Error(`no export ${exportName} in ${file}`);
    if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
    const name = rename || schemaName(sym);
    if (owners.has(name) && owners.get(name) !== sym) throw new Error(`two types are named ${name}`);
    owners.set(name, sym);
    schemas[name] = {};
    schemas[name] = objectSchema(checker.getDeclaredTypeOfSymbol(sym), sym, name);
  }
}

// ---------------------------------------------------------------------------------------------
// what the declarations cannot say
// ---------------------------------------------------------------------------------------------
// An event carries any object (checked by its own `object`) and the prior values of what changed.
schemas['Event.Data'].properties.object = {
  description: schemas['Event.Data'].properties.object.description,
};
schemas['Event.Data'].properties.previous_attributes = {
  type: 'object',
  additionalProperties: true,
  description: schemas['Event.Data'].properties.previous_attributes.description,
};
// The raw error's `type` says "One of `api_error`, `card_error`, ..." for the v1 API; its
// declared union also holds the v2 and OAuth error types, which a v1 response never carries.
{
  const t = schemas['Error.Object'].properties.type;
  const raw = checker.getDeclaredTypeOfSymbol(owners.get('Error.Object')).getProperty('type');
  const doc = ts.displayPartsToString(raw.getDocumentationComment(checker));
  const documented = [...doc.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
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

const out = {
  openapi: '3.0.0',
  info: {
    title: 'Stripe objects, from the official SDK type declarations',
    source: `npm stripe@${sdkVersion} (cjs/resources/*.d.ts, lib.d.ts, Types.d.ts) read with npm typescript@${tsVersion}`,
    integers: `PyPI stripe==${pyVersion} type annotations (int vs float)`,
    api_version: apiVersion,
    sdk_version: sdkVersion,
    generated_by: 'tests/schema/gen/gen.js (regenerate: tests/schema/gen/regen.sh)',
  },
  components: {
    schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  },
};
fs.writeFileSync(DEST, `${JSON.stringify(out, null, 1)}\n`);
console.log(`${Object.keys(schemas).length} schemas -> ${path.relative(process.cwd(), DEST)} ` +
  `(${fs.statSync(DEST).size} bytes), stripe-node ${sdkVersion}, API ${apiVersion}`);
console.log(`numbers: ${numberStats.integer} integer and ${numberStats.number} number by stripe-python ${pyVersion}; ` +
  `${numberStats.unknown.length} not annotated there, left number${numberStats.unknown.length ? ': ' + numberStats.unknown.join(', ') : ''}`);
