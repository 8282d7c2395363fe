// The check runner of tests/ecwid-official: each check is a name and an async function that
// throws (with the reason) when the check fails; every result is printed on its own line,
// PASS or FAIL, and the run ends with the plain line "N passed, N failed". validate() checks
// a value against one DTO schema of schemas.mjs, forgiving only what deviations.mjs lists;
// a deviation no check needed is STALE and fails the run.
import Ajv from 'ajv';
import { definitions } from './schemas.mjs';
import { deviations } from './deviations.mjs';

const results = [];
const used = new Set();
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema({ $id: 'ecwid', definitions });

export async function check(name, fn) {
    let error = null;
    try {
        await fn();
    } catch (e) {
        error = e;
    }
    results.push({ name, ok: !error });
    let line = `${error ? 'FAIL' : 'PASS'}  ${name}`;
    if (error)
        line += `\n      ${String(error.stack || error).split('\n').slice(0, 6).join('\n      ')}`;
    console.log(line);
    return !error;
}

export function assert(cond, message) {
    if (!cond)
        throw new Error(message);
}

// The schema errors of value against DTO name, less the listed deviations (marked used).
export function schemaErrors(name, value) {
    const v = ajv.getSchema(`ecwid#/definitions/${name}`);
    if (v(value))
        return [];
    return v.errors.filter((e) => {
        const i = deviations.findIndex((d) => d.dto === name && d.keyword === e.keyword &&
            d.path.test(e.instancePath) && (!d.property || d.property === e.params.additionalProperty));
        if (i >= 0)
            used.add(i);
        return i < 0;
    });
}

export function validate(name, value, what) {
    const errs = schemaErrors(name, value);
    if (errs.length)
        throw new Error(`${what}: not a ${name} (Java client DTO):\n` + errs.slice(0, 12).map((e) =>
            `${e.instancePath || '/'} ${e.message}` +
            (e.params.additionalProperty ? ` (${e.params.additionalProperty})` : '')).join('\n'));
}

export function summary(allGroupsRan) {
    let stale = 0;
    if (allGroupsRan)
        deviations.forEach((d, i) => {
            if (!used.has(i)) {
                stale++;
                console.log(`STALE deviations.mjs entry ${d.dto} ${d.path} ${d.keyword}: no answer needed it; remove it`);
            }
        });
    const passed = results.filter((r) => r.ok).length;
    const failed = results.length - passed + stale;
    console.log(`\necwid-official: ${passed} pass, ${results.length - passed} fail` +
                (stale ? `, ${stale} stale deviations` : ''));
    console.log(`${passed} passed, ${failed} failed`);
    return failed ? 1 : 0;
}
