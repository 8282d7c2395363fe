// The validator of tests/magento-official: Magento's own OpenAPI description of its admin REST
// API (Swagger 2.0 with "definitions" or OpenAPI 3 with "components.schemas": the 2.4.7 file
// on npm is OpenAPI 3.0.0, the 2.4.9 one in ../shared/reference is Swagger 2.0; both are
// read) against one traffic record {method, path, query, request, status, response}.
//
// What it checks, and how Magento's descriptions are read:
// - the operation: method + path template ("/V1/orders/{id}"). The traffic path starts with
//   "/rest"; a store code may follow ("/rest/default/V1/...", "/rest/all/V1/..."), as the
//   spec's own basePath "/rest/default" shows; both are dropped before matching. A literal
//   segment beats a parameter ("/V1/orders/items" before "/V1/orders/{id}"); a path
//   parameter declared integer must be decimal digits.
// - every query parameter's name is one the operation declares, after the spellings of
//   ./query-spellings.mjs are mapped and every index is read as [0] (the spec declares
//   filterGroups[0][filters][0] only; a query with two groups uses [1] too). Integer
//   parameters (pageSize, currentPage) must be decimal.
// - the request body against the operation's body parameter (Swagger 2.0 "in: body") or
//   requestBody (OpenAPI 3, $ref to components.requestBodies resolved); an operation that
//   declares no body must get none.
// - the response body against the schema declared for its status, else "default" (the
//   error-response of Magento's errors). An operation that declares no 2xx answer is a void
//   service method: Magento answers it with [] (or nothing).
// Swagger schemas are not quite JSON Schema. They are converted: $ref to #/definitions/X or
// #/components/schemas/X point into one shared schema; "description", "xml", "example" and
// x-* keys are dropped; OpenAPI 3 "nullable" adds "null"; and every object schema that does
// not say otherwise gets additionalProperties: false, because Magento builds its answers from
// its interfaces' getters and refuses unknown fields in requests: a field no interface has
// must fail. The known places where Magento itself departs from its description are listed,
// each with its reason, in ./deviations.mjs; an error one of them covers is reported as
// allowed, never dropped silently.
import Ajv from 'ajv';
import { spellings } from './query-spellings.mjs';
import { deviations } from './deviations.mjs';

const ROOT_ID = 'https://stockbridge.invalid/magento-official/spec';
const DROPPED = new Set(['description', 'xml', 'example', 'examples', 'title', 'readOnly',
    'externalDocs', 'discriminator']);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

// Magento's searchCriteria condition types (Magento\Framework\Api\Filter, and the
// "Search using REST endpoints" page of Adobe's developer docs); the spec types
// conditionType as a bare string.
export const CONDITION_TYPES = new Set(['eq', 'finset', 'from', 'gt', 'gteq', 'in', 'like',
    'lt', 'lteq', 'moreq', 'neq', 'nfinset', 'nin', 'nlike', 'notnull', 'null', 'to']);

export class Spec {
    constructor(doc) {
        if (doc.swagger === '2.0') {
            this.flavour = 'swagger2';
            this.definitions = doc.definitions || {};
            this.refPrefix = '#/definitions/';
            this.basePath = doc.basePath || '';
        } else if (typeof doc.openapi === 'string' && doc.openapi.startsWith('3.')) {
            this.flavour = 'openapi3';
            this.definitions = doc.components?.schemas || {};
            this.refPrefix = '#/components/schemas/';
            this.requestBodies = doc.components?.requestBodies || {};
            const server = doc.servers?.[0]?.url || '';
            this.basePath = server ? new URL(server, 'http://x').pathname.replace(/\/$/, '') : '';
        } else {
            throw new Error('neither Swagger 2.0 nor OpenAPI 3: cannot read this description');
        }
        this.version = doc.info?.version || '?';
        this.where = new WeakMap(); // converted schema object -> "definition/properties/field"
        const defs = {};
        for (const [name, schema] of Object.entries(this.definitions))
            defs[name] = this.convert(schema, name);
        this.ajv = new Ajv({ allErrors: true, verbose: true, strict: false, allowUnionTypes: true });
        this.ajv.addSchema({ $id: ROOT_ID, definitions: defs });
        this.compiled = new Map();
        this.operations = [];
        for (const [template, item] of Object.entries(doc.paths || {})) {
            const segments = template.split('/').filter(Boolean);
            for (const method of METHODS) {
                if (!item[method])
                    continue;
                const op = item[method];
                const params = [...(item.parameters || []), ...(op.parameters || [])];
                this.operations.push({
                    method: method.toUpperCase(),
                    template,
                    segments,
                    literals: segments.filter((s) => !s.startsWith('{')).length,
                    op,
                    pathParams: new Map(params.filter((p) => p.in === 'path')
                        .map((p) => [p.name, p.schema?.type || p.type])),
                    queryParams: new Map(params.filter((p) => p.in === 'query')
                        .map((p) => [p.name, p.schema?.type || p.type])),
                    body: this.bodySchema(op, params),
                });
            }
        }
    }

    // A Swagger/OpenAPI schema as JSON Schema (see the opening comment); `at` names where it
    // is, for ./deviations.mjs.
    convert(schema, at) {
        if (Array.isArray(schema))
            return schema.map((s, i) => this.convert(s, `${at}/${i}`));
        if (!schema || typeof schema !== 'object')
            return schema;
        if (typeof schema.$ref === 'string') {
            const ref = schema.$ref;
            const name = ref.startsWith(this.refPrefix) ? ref.slice(this.refPrefix.length) : null;
            if (!name || !(name in this.definitions))
                throw new Error(`${at}: $ref ${ref} names no definition`);
            return { $ref: `${ROOT_ID}#/definitions/${name}` };
        }
        const out = {};
        for (const [k, v] of Object.entries(schema)) {
            if (DROPPED.has(k) || k.startsWith('x-') || k === 'nullable')
                continue;
            if (k === 'properties') {
                out.properties = {};
                for (const [p, s] of Object.entries(v))
                    out.properties[p] = this.convert(s, `${at}/properties/${p}`);
            } else if (k === 'items' || k === 'additionalProperties' || k === 'not') {
                out[k] = typeof v === 'object' ? this.convert(v, `${at}/${k}`) : v;
            } else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') {
                out[k] = this.convert(v, `${at}/${k}`);
            } else {
                out[k] = v;
            }
        }
        if (schema.nullable === true && typeof out.type === 'string')
            out.type = [out.type, 'null'];
        const isObject = out.type === 'object' || (out.type === undefined && out.properties);
        if (isObject && out.additionalProperties === undefined)
            out.additionalProperties = false;
        this.where.set(out, at);
        return out;
    }

    bodySchema(op, params) {
        if (this.flavour === 'swagger2') {
            const p = params.find((x) => x.in === 'body');
            return p ? { schema: p.schema, at: `${op.operationId}/body` } : null;
        }
        let rb = op.requestBody;
        if (!rb)
            return null;
        if (rb.$ref) {
            const name = rb.$ref.replace('#/components/requestBodies/', '');
            rb = this.requestBodies[name];
            if (!rb)
                throw new Error(`${op.operationId}: requestBody ${op.requestBody.$ref} is missing`);
        }
        const schema = rb.content?.['application/json']?.schema;
        return schema ? { schema, at: `${op.operationId}/body` } : null;
    }

    responseSchema(entry) {
        if (!entry)
            return undefined;
        if (this.flavour === 'swagger2')
            return entry.schema || null;
        return entry.content?.['application/json']?.schema || null;
    }

    // the validator of a deviation's `instead` schema (plain JSON Schema)
    insteadValidator(d) {
        let v = this.compiled.get(d);
        if (!v) {
            v = this.ajv.compile(d.instead);
            this.compiled.set(d, v);
        }
        return v;
    }

    validator(schema, at) {
        let v = this.compiled.get(schema);
        if (!v) {
            v = this.ajv.compile(this.convert(schema, at));
            this.compiled.set(schema, v);
        }
        return v;
    }

    // The path without "/rest" and the store code, or null when it is not a REST path.
    normalisePath(path) {
        const m = /^\/rest(?:\/([A-Za-z0-9_]+))?(\/V\d+\/.*)$/.exec(path);
        if (!m)
            return null;
        if (m[1] && /^V\d+$/.test(m[1]))
            return null; // "/rest/V1/V1/..." is no store code
        return m[2];
    }

    findOperation(method, path) {
        const rest = this.normalisePath(path);
        if (!rest)
            return { error: `${path} is not a Magento REST path (/rest[/store]/V1/...)` };
        const segments = rest.split('/').filter(Boolean);
        let best = null;
        let sawPath = false;
        for (const o of this.operations) {
            if (o.segments.length !== segments.length)
                continue;
            let ok = true;
            for (let i = 0; ok && i < segments.length; i++) {
                const t = o.segments[i];
                if (!t.startsWith('{'))
                    ok = t === segments[i];
                else
                    ok = segments[i].length > 0;
            }
            if (!ok)
                continue;
            sawPath = true;
            if (o.method === method && (!best || o.literals > best.literals))
                best = o;
        }
        if (!best)
            return { error: sawPath ? `${method} is not an operation of ${rest}`
                : `no operation of the spec matches ${rest}` };
        const errors = [];
        for (let i = 0; i < segments.length; i++) {
            const t = best.segments[i];
            if (!t.startsWith('{'))
                continue;
            const name = t.slice(1, -1);
            let value;
            try {
                value = decodeURIComponent(segments[i]);
            } catch {
                errors.push(`path parameter ${name}: bad percent-encoding`);
                continue;
            }
            if (best.pathParams.get(name) === 'integer' && !/^-?\d+$/.test(value))
                errors.push(`path parameter ${name}: "${value}" is not an integer`);
        }
        return { operation: best, errors };
    }
}

// The declared name a query parameter's name stands for: spellings mapped, indexes to [0].
export function canonicalQueryName(name) {
    let out = name;
    for (const [other, declared] of spellings)
        out = out.split(`[${other}]`).join(`[${declared}]`);
    return out.replace(/\[\d+\]/g, '[0]');
}

export function checkQuery(operation, query) {
    const errors = [];
    if (query === undefined || query === null || query === '')
        return errors;
    if (typeof query !== 'string')
        return ['"query" is not a string'];
    const filters = new Map(); // "g,f" -> {field, value, conditionType}
    for (const pair of query.split('&')) {
        if (pair === '')
            continue;
        const eq = pair.indexOf('=');
        let name;
        let value;
        try {
            name = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
            value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
        } catch {
            errors.push(`query: bad percent-encoding in ${pair}`);
            continue;
        }
        const declared = canonicalQueryName(name);
        if (!operation.queryParams.has(declared)) {
            errors.push(`query parameter ${name} is not declared by ${operation.method} ` +
                `${operation.template}`);
            continue;
        }
        if (operation.queryParams.get(declared) === 'integer' && !/^-?\d+$/.test(value))
            errors.push(`query parameter ${name}: "${value}" is not an integer`);
        const f = /^searchCriteria\[(?:filter_groups|filterGroups)\]\[(\d+)\]\[filters\]\[(\d+)\]\[(field|value|condition_type|conditionType)\]$/.exec(name);
        if (f) {
            const key = `${f[1]},${f[2]}`;
            const entry = filters.get(key) || {};
            entry[f[3] === 'condition_type' ? 'conditionType' : f[3]] = value;
            filters.set(key, entry);
        }
    }
    for (const [key, f] of filters) {
        const [g, i] = key.split(',');
        if (f.field === undefined)
            errors.push(`filter group ${g} filter ${i}: a value or condition with no field`);
        if (f.conditionType !== undefined && !CONDITION_TYPES.has(f.conditionType))
            errors.push(`filter group ${g} filter ${i}: condition type "${f.conditionType}" ` +
                'is not one of Magento\'s');
        if (f.value === undefined && !['null', 'notnull'].includes(f.conditionType))
            errors.push(`filter group ${g} filter ${i}: no value`);
    }
    return errors;
}

// Ajv's errors, split into those a deviation covers (with the deviation) and the others.
function sortErrors(spec, errors, used) {
    const failures = [];
    const allowed = [];
    for (const e of errors || []) {
        const at = spec.where.get(e.parentSchema);
        const dev = deviations.find((d) => {
            if (d.keyword !== e.keyword || d.at !== at)
                return false;
            if (d.keyword === 'required')
                return e.params.missingProperty === d.property;
            if (d.keyword === 'type')
                return spec.insteadValidator(d)(e.data);
            return false;
        });
        const text = `${e.instancePath || '(top)'} ${e.message}` +
            (e.keyword === 'additionalProperties' ? `: ${e.params.additionalProperty}` : '') +
            (at ? ` [${at}]` : '');
        if (dev) {
            allowed.push(`${text} (allowed: ${dev.id})`);
            used?.add(dev.id);
        } else {
            failures.push(text);
        }
    }
    return { failures, allowed };
}

// One traffic record: {operation (template) or null, errors[], allowed[]}.
export function checkRecord(spec, record, used) {
    const errors = [];
    const allowed = [];
    for (const k of ['method', 'path', 'status'])
        if (record[k] === undefined)
            errors.push(`the record has no "${k}"`);
    if (errors.length)
        return { operation: null, errors, allowed };
    const method = String(record.method).toUpperCase();
    const found = spec.findOperation(method, record.path);
    if (!found.operation)
        return { operation: null, errors: [found.error], allowed };
    const o = found.operation;
    const name = `${o.method} ${o.template}`;
    errors.push(...found.errors);
    errors.push(...checkQuery(o, record.query));

    // the request
    const request = record.request === undefined ? null : record.request;
    if (!o.body) {
        if (request !== null)
            errors.push(`request: ${name} takes no body, got ${JSON.stringify(request).slice(0, 80)}`);
    } else if (request === null) {
        if (o.op.requestBody?.required || method !== 'GET')
            errors.push(`request: ${name} needs a body`);
    } else {
        const v = spec.validator(o.body.schema, o.body.at);
        if (!v(request)) {
            const s = sortErrors(spec, v.errors, used);
            errors.push(...s.failures.map((t) => `request: ${t}`));
            allowed.push(...s.allowed.map((t) => `request: ${t}`));
        }
    }

    // the response
    const status = String(record.status);
    const responses = o.op.responses || {};
    const response = record.response === undefined ? null : record.response;
    const declared2xx = Object.keys(responses).some((k) => /^2\d\d$/.test(k));
    let entry = responses[status];
    if (!entry && /^2/.test(status)) {
        if (declared2xx) {
            errors.push(`response: ${name} declares no ${status} answer`);
            return { operation: name, errors, allowed };
        }
        // a void service method
        if (!(response === null || (Array.isArray(response) && response.length === 0)))
            errors.push(`response: ${name} is void (no 2xx declared): Magento answers [], ` +
                `got ${JSON.stringify(response).slice(0, 80)}`);
        return { operation: name, errors, allowed };
    }
    entry = entry || responses.default;
    if (!entry) {
        errors.push(`response: ${name} declares neither ${status} nor default`);
        return { operation: name, errors, allowed };
    }
    const schema = spec.responseSchema(entry);
    if (!schema) {
        if (response !== null)
            errors.push(`response: ${name} ${status} declares no body, got one`);
    } else {
        const v = spec.validator(schema, `${o.op.operationId}/${status}`);
        if (!v(response)) {
            const s = sortErrors(spec, v.errors, used);
            errors.push(...s.failures.map((t) => `response ${status}: ${t}`));
            allowed.push(...s.allowed.map((t) => `response ${status}: ${t}`));
        }
    }
    return { operation: name, errors, allowed };
}
