// The check runner of tests/magento-official: each check is a name and an async function that
// throws (with the reason) when the check fails. Every result is printed on its own line,
// PASS, FAIL, XFAIL (failed, and listed in expected-failures.mjs with its reason) or XPASS
// (listed there but passed: the list is out of date, and that fails the run until the entry
// is removed). The run ends with the plain line "N passed, N failed".
import { expectedFailures } from './expected-failures.mjs';

const results = [];
const extraFailures = [];

export async function check(name, fn) {
    let error = null;
    try {
        await fn();
    } catch (e) {
        error = e;
    }
    const expected = expectedFailures.get(name);
    let verdict;
    if (!error)
        verdict = expected ? 'XPASS' : 'PASS';
    else
        verdict = expected ? 'XFAIL' : 'FAIL';
    results.push({ name, verdict, error, expected });
    let line = `${verdict.padEnd(5)} ${name}`;
    if (error)
        line += `\n      ${String(error.message || error).split('\n').join('\n      ')}`;
    if (verdict === 'XFAIL')
        line += `\n      (expected: ${expected})`;
    if (verdict === 'XPASS')
        line += `\n      listed in expected-failures.mjs (${expected}) but passes: remove it`;
    console.log(line);
    return !error;
}

export function assert(cond, message) {
    if (!cond)
        throw new Error(message);
}

// A failure that is no check of its own (a stale allow-list entry): printed, and it fails the run.
export function failRun(message) {
    extraFailures.push(message);
    console.log(`STALE ${message}`);
}

export function summary(groupsRun) {
    const count = (v) => results.filter((r) => r.verdict === v).length;
    const ran = new Set(results.map((r) => r.name));
    const stale = [...expectedFailures.keys()].filter((n) =>
        groupsRun.includes(n.split('/')[0]) && !ran.has(n));
    for (const n of stale)
        console.log(`STALE ${n}\n      listed in expected-failures.mjs but no such check ran: remove it`);
    const passed = count('PASS');
    const failed = count('FAIL') + count('XPASS') + stale.length + extraFailures.length;
    console.log(`\nmagento-official: ${count('PASS')} pass, ${count('FAIL')} fail, ` +
                `${count('XFAIL')} expected failures, ${count('XPASS')} unexpected passes` +
                (stale.length + extraFailures.length
                    ? `, ${stale.length + extraFailures.length} stale list entries` : ''));
    console.log(`${passed} passed, ${failed} failed`);
    return failed === 0;
}

export function groupCounts(prefix) {
    const mine = results.filter((r) => r.name.startsWith(prefix));
    return {
        pass: mine.filter((r) => r.verdict === 'PASS' || r.verdict === 'XPASS').length,
        fail: mine.filter((r) => r.verdict === 'FAIL' || r.verdict === 'XFAIL').length,
    };
}
