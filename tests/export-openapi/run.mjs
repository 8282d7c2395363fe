// The connection API (/api/v1/connection*, SPEC E1-E8) against docs/api/openapi.yaml, with
// validators no one on this project wrote (scripts/test-export-openapi; docs/testing.md):
//
//   document  the whole file is a valid OpenAPI 3 document: @seriousme/openapi-schema-validator
//             checks it against the OpenAPI Initiative's own JSON Schema of OpenAPI 3.0;
//   examples  every example under the /connection* paths (request bodies, answers, query
//             parameters, response headers) validates against the schema it illustrates;
//   traffic   every exchange in $SB_EXPORT_TRAFFIC_DIR/*.jsonl (one JSON object a line:
//             method, path, query, status, request, response, headers; written by the export
//             fakestore of the e2e suites) is a documented operation and status, with a
//             query of declared parameters, request and response bodies and the headers sent
//             that validate against what is declared. Without the variable: skipped;
//   self-test a server of its own (SB_BIN, a fresh database), driven through the connection
//             API by ./drive.mjs (connect, complete, catalogue, changes, orders, refund, and
//             the refusals), its traffic recorded in that format and checked as above.
//
// Bodies are validated by ajv (+ ajv-formats for date-time, date and int64): the YAML document
// is given to ajv whole under an $id, so a schema's $ref ('#/components/schemas/X') is resolved
// by ajv itself; only the references to whole responses, parameters and headers (which are not
// schemas) are followed here. OpenAPI 3.0's `nullable` is ajv's own keyword; `example` and
// the x- extensions are annotations (strict: false).
//
//   node run.mjs [group...]   (groups: document examples traffic self-test; default all)
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drive } from './drive.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const specPath = join(here, '..', '..', 'docs', 'api', 'openapi.yaml');
const ID = 'https://stockbridge.invalid/openapi.yaml';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const PREFIX = '/api/v1/connection';

let failures = 0;
function fail(group, what) {
    failures++;
    console.log(`export-openapi: ${group}: FAIL ${what}`);
}

const text = readFileSync(specPath, 'utf8');
const doc = parse(text, { uniqueKeys: true });

const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false,
                      allowUnionTypes: true, discriminator: true });
addFormats(ajv);
ajv.addSchema(doc, ID);

const esc = (s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));
const pointer = (...parts) => '#/' + parts.map((p) => esc(String(p))).join('/');
const compiled = new Map();
function validator(ptr) {
    if (!compiled.has(ptr))
        compiled.set(ptr, ajv.getSchema(ID + ptr));
    return compiled.get(ptr);
}
function errorsOf(v) {
    return ajv.errorsText(v.errors, { separator: '; ' });
}
// A reference to a response, parameter or header: follow it (with its pointer).
function deref(obj, ptr) {
    while (obj && obj.$ref) {
        ptr = obj.$ref;
        obj = ptr.slice(2).split('/')
            .map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'))
            .reduce((o, k) => (o ? o[k] : undefined), doc);
    }
    return [obj, ptr];
}

// The connection API's common headers, which every one of its answers may carry (the rate
// limit's, components.headers; docs/channels/export.md "Rate limits"): a header an answer does
// not declare itself must be one of these, and valid by it.
const common = Object.fromEntries(Object.entries(doc.components?.headers || {})
    .map(([k, h]) => [k.toLowerCase(), [h, pointer('components', 'headers', k)]]));

// The operations under /api/v1/connection, each with its path template as a pattern.
const operations = [];
for (const [template, item] of Object.entries(doc.paths || {})) {
    if (!template.startsWith(PREFIX))
        continue;
    for (const method of METHODS) {
        if (!item[method])
            continue;
        const names = [];
        const re = new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
            .replace(/\{([^}]+)\}/g, (_, n) => { names.push(n); return '([^/]+)'; }) + '$');
        operations.push({ method: method.toUpperCase(), template, re, op: item[method],
                          ptr: ['paths', template, method],
                          params: [
                              ...(item.parameters || []).map((p, i) =>
                                  [p, pointer('paths', template, 'parameters', i)]),
                              ...(item[method].parameters || []).map((p, i) =>
                                  [p, pointer('paths', template, method, 'parameters', i)]),
                          ] });
    }
}

function findOperation(method, path) {
    return operations.find((o) => o.method === method && o.re.test(path));
}

function params(o) {
    return o.params.map(([p, at]) => {
        const [obj, ptr] = deref(p, at);
        return { obj, ptr };
    });
}

// ------------------------------------------------------------------ document
async function groupDocument() {
    const v = new Validator();
    const res = await v.validate(doc);
    if (!res.valid)
        fail('document', `not a valid OpenAPI ${v.version} document: ` +
             JSON.stringify(res.errors).slice(0, 1500));
    else
        console.log(`export-openapi: document: a valid OpenAPI ${v.version} document: ok`);
}

// ------------------------------------------------------------------ examples
function checkExample(group, where, ptr, value) {
    const v = validator(ptr);
    if (!v) {
        fail(group, `${where}: no schema at ${ptr}`);
        return;
    }
    if (!v(value))
        fail(group, `${where}: the example does not validate: ${errorsOf(v)}`);
}

function mediaExamples(group, where, content, ptr, n) {
    const media = content?.['application/json'];
    if (!media)
        return n;
    const sptr = ptr + '/content/application~1json/schema';
    if (media.example !== undefined) {
        checkExample(group, where, sptr, media.example);
        n++;
    }
    for (const [name, ex] of Object.entries(media.examples || {})) {
        const [obj] = deref(ex, '');
        checkExample(group, `${where} (${name})`, sptr, obj.value);
        n++;
    }
    return n;
}

function groupExamples() {
    let n = 0;
    for (const o of operations) {
        const where = `${o.method} ${o.template}`;
        const optr = pointer(...o.ptr);
        if (o.op.requestBody) {
            const [body, bptr] = deref(o.op.requestBody, optr + '/requestBody');
            n = mediaExamples('examples', `${where} request`, body.content, bptr, n);
        }
        for (const [status, r] of Object.entries(o.op.responses || {})) {
            const [resp, rptr] = deref(r, optr + '/responses/' + esc(status));
            n = mediaExamples('examples', `${where} ${status}`, resp.content, rptr, n);
            for (const [name, h] of Object.entries(resp.headers || {})) {
                const [hdr, hptr] = deref(h, rptr + '/headers/' + esc(name));
                if (hdr.example !== undefined) {
                    checkExample('examples', `${where} ${status} header ${name}`, hptr + '/schema',
                                 hdr.example);
                    n++;
                }
            }
        }
        for (const { obj, ptr } of params(o)) {
            if (obj.example !== undefined) {
                checkExample('examples', `${where} parameter ${obj.name}`, ptr + '/schema',
                             obj.example);
                n++;
            }
        }
    }
    if (n === 0)
        fail('examples', 'no examples under /api/v1/connection*');
    console.log(`export-openapi: examples: ${n} examples under ${PREFIX}* checked`);
}

// ------------------------------------------------------------------ traffic
// A query or header value as its schema's type asks (the wire carries text).
function typed(schema, value) {
    const s = schema && schema.$ref ? deref(schema, '')[0] : schema;
    if (s && (s.type === 'integer' || s.type === 'number') && /^-?[0-9]+$/.test(value))
        return Number(value);
    if (s && s.type === 'boolean' && (value === 'true' || value === 'false'))
        return value === 'true';
    return value;
}

function checkExchange(group, t, where) {
    const path = t.path;
    const o = findOperation(t.method, path);
    if (!o) {
        fail(group, `${where}: ${t.method} ${path}: no documented operation`);
        return;
    }
    const name = `${t.method} ${o.template} ${t.status}`;
    const optr = pointer(...o.ptr);
    // the query: declared parameters only, each valid
    const declared = params(o).filter((p) => p.obj.in === 'query');
    for (const [k, v] of new URLSearchParams(t.query || '')) {
        const p = declared.find((d) => d.obj.name === k);
        if (!p) {
            fail(group, `${where}: ${name}: query parameter ${k} is not declared`);
            continue;
        }
        const val = validator(p.ptr + '/schema');
        if (t.status < 400 && val && !val(typed(p.obj.schema, v)))
            fail(group, `${where}: ${name}: query ${k}=${v}: ${errorsOf(val)}`);
    }
    // the request body
    if (t.request !== null && t.request !== undefined) {
        if (!o.op.requestBody) {
            fail(group, `${where}: ${name}: a body sent to an operation that takes none`);
        } else if (t.status < 400) {
            const [body, bptr] = deref(o.op.requestBody, optr + '/requestBody');
            const val = body.content?.['application/json'] &&
                validator(bptr + '/content/application~1json/schema');
            if (!val)
                fail(group, `${where}: ${name}: no JSON schema for the request`);
            else if (!val(t.request))
                fail(group, `${where}: ${name}: request: ${errorsOf(val)}`);
        }
    }
    // the status, the answer and its headers
    const responses = o.op.responses || {};
    const key = String(t.status) in responses ? String(t.status)
        : `${String(t.status)[0]}XX` in responses ? `${String(t.status)[0]}XX` : 'default';
    if (!(key in responses)) {
        fail(group, `${where}: ${name}: status ${t.status} is not documented`);
        return;
    }
    const [resp, rptr] = deref(responses[key], optr + '/responses/' + esc(key));
    if (t.response !== null && t.response !== undefined) {
        const val = resp.content?.['application/json'] &&
            validator(rptr + '/content/application~1json/schema');
        if (!val)
            fail(group, `${where}: ${name}: a body the operation documents none for`);
        else if (!val(t.response))
            fail(group, `${where}: ${name}: response: ${errorsOf(val)} in ` +
                 JSON.stringify(t.response).slice(0, 300));
    } else if (resp.content?.['application/json'] && t.status !== 304) {
        fail(group, `${where}: ${name}: no body, the operation documents one`);
    }
    const documented = Object.fromEntries(Object.entries(resp.headers || {})
        .map(([k, h]) => [k.toLowerCase(), deref(h, rptr + '/headers/' + esc(k))]));
    for (const [k, v] of Object.entries(t.headers || {})) {
        const d = documented[k.toLowerCase()] || common[k.toLowerCase()];
        if (!d) {
            fail(group, `${where}: ${name}: header ${k} is not documented for this answer`);
            continue;
        }
        const [hdr, hptr] = d;
        const val = validator(hptr + '/schema');
        if (val && !val(typed(hdr.schema, v)))
            fail(group, `${where}: ${name}: header ${k}: ${v}: ${errorsOf(val)}`);
    }
}

function checkLines(group, lines, source) {
    let n = 0;
    lines.forEach((line, i) => {
        if (!line.trim())
            return;
        let t;
        try {
            t = JSON.parse(line);
        } catch (e) {
            fail(group, `${source}:${i + 1}: not JSON: ${e.message}`);
            return;
        }
        checkExchange(group, t, `${source}:${i + 1}`);
        n++;
    });
    return n;
}

function groupTraffic() {
    const dir = process.env.SB_EXPORT_TRAFFIC_DIR;
    if (!dir) {
        console.log('export-openapi: traffic: skipped (SB_EXPORT_TRAFFIC_DIR is not set)');
        return;
    }
    if (!existsSync(dir)) {
        fail('traffic', `${dir} does not exist`);
        return;
    }
    let n = 0, files = 0;
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
        files++;
        n += checkLines('traffic', readFileSync(join(dir, f), 'utf8').split('\n'), f);
    }
    console.log(`export-openapi: traffic: ${n} exchanges in ${files} logs of ${dir} checked`);
}

async function groupSelfTest() {
    const bin = process.env.SB_BIN;
    if (!bin) {
        fail('self-test', 'SB_BIN (the stockbridge binary) is not set');
        return;
    }
    const traffic = await drive(bin);
    const n = checkLines('self-test', traffic.map((t) => JSON.stringify(t)), 'self-test');
    // every operation under /connection is driven, choices excepted until it exists (H1)
    for (const o of operations) {
        if (!traffic.some((t) => t.method === o.method && o.re.test(t.path)) &&
            !o.template.endsWith('/choices'))
            fail('self-test', `${o.method} ${o.template} was not driven`);
    }
    console.log(`export-openapi: self-test: ${n} exchanges with a server of its own checked`);
}

const groups = { document: groupDocument, examples: groupExamples, traffic: groupTraffic,
                 'self-test': groupSelfTest };
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(groups);
for (const g of wanted) {
    if (!groups[g]) {
        console.log(`export-openapi: no group ${g} (groups: ${Object.keys(groups).join(' ')})`);
        process.exit(2);
    }
    await groups[g]();
}
console.log(failures ? `export-openapi: ${failures} failures` : 'export-openapi: ok');
process.exit(failures ? 1 : 0);
