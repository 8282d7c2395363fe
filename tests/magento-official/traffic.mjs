// A traffic log (one JSON object a line, written by `stockbridge-fakestore --kind magento2
// --traffic-log FILE`; the contract is in docs/fakestore.md) checked record by record with
// ./openapi.mjs: every line must be a JSON object, every operation one Magento's
// description declares, every request and answer valid. The result is grouped by operation
// so that a check can be reported per operation, with the first few failures of each.
import { readFileSync } from 'node:fs';
import { checkRecord } from './openapi.mjs';

export function readLog(file) {
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '')
        lines.pop();
    const records = [];
    const broken = [];
    lines.forEach((line, i) => {
        let r;
        try {
            r = JSON.parse(line);
        } catch (e) {
            broken.push(`line ${i + 1}: not JSON (${e.message}): ${line.slice(0, 120)}`);
            return;
        }
        if (!r || typeof r !== 'object' || Array.isArray(r)) {
            broken.push(`line ${i + 1}: not a JSON object`);
            return;
        }
        for (const k of ['method', 'path', 'query', 'request', 'status', 'response'])
            if (!(k in r))
                broken.push(`line ${i + 1}: no "${k}"`);
        if (typeof r.path === 'string' && r.path.includes('?'))
            broken.push(`line ${i + 1}: "path" carries a query string`);
        if (typeof r.path === 'string' && r.path.startsWith('/_fake/'))
            broken.push(`line ${i + 1}: a control API call is logged (${r.path})`);
        records.push({ line: i + 1, record: r });
    });
    return { records, broken, lines: lines.length };
}

// {lines, broken[], unknown[], byOperation: Map(name -> {records, failures[], allowed[],
//  statuses:Set})}
export function checkLog(spec, file, used) {
    const { records, broken, lines } = readLog(file);
    const unknown = [];
    const byOperation = new Map();
    for (const { line, record } of records) {
        const r = checkRecord(spec, record, used);
        if (!r.operation) {
            unknown.push(`line ${line}: ${record.method} ${record.path}: ${r.errors.join('; ')}`);
            continue;
        }
        let g = byOperation.get(r.operation);
        if (!g) {
            g = { records: 0, failures: [], allowed: [], statuses: new Set() };
            byOperation.set(r.operation, g);
        }
        g.records++;
        g.statuses.add(record.status);
        for (const e of r.errors)
            g.failures.push(`line ${line} (${record.status}): ${e}`);
        for (const a of r.allowed)
            g.allowed.push(`line ${line}: ${a}`);
    }
    return { lines, broken, unknown, byOperation };
}

export function firstFew(list, n = 8) {
    const shown = list.slice(0, n).join('\n');
    return list.length > n ? `${shown}\n... and ${list.length - n} more` : shown;
}

// A whole log as checks named `${prefix}: ...`: the lines, the operations, and one check per
// operation seen (its requests and answers). `required`: operations that must appear with a
// 2xx answer. -> the result of checkLog, or null when the file could not be read.
export async function logChecks(prefix, spec, file, used, required = []) {
    const { check, assert } = await import('./lib.mjs');
    let result = null;
    await check(`${prefix}: every line a JSON record of the contract`, async () => {
        result = checkLog(spec, file, used);
        assert(result.lines > 0, `${file} is empty`);
        assert(result.broken.length === 0, firstFew(result.broken));
    });
    if (!result)
        return null;
    await check(`${prefix}: every operation one Magento's description declares`, async () => {
        assert(result.unknown.length === 0, firstFew(result.unknown));
    });
    for (const [op, g] of [...result.byOperation].sort(([a], [b]) => a.localeCompare(b))) {
        await check(`${prefix}: ${op} (requests and answers valid)`, async () => {
            for (const a of g.allowed.slice(0, 3))
                console.log(`      allowed ${a}`);
            assert(g.failures.length === 0,
                `${g.failures.length} of ${g.records} records invalid:\n${firstFew(g.failures)}`);
        });
    }
    if (required.length) {
        await check(`${prefix}: every operation the adapter uses was exercised`, async () => {
            const missing = required.filter((op) => {
                const g = result.byOperation.get(op);
                return !g || ![...g.statuses].some((s) => s >= 200 && s < 300);
            });
            assert(missing.length === 0, `not seen with a 2xx answer: ${missing.join(', ')}`);
        });
    }
    return result;
}
