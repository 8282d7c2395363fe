// A Magento 2 admin REST client written from Magento's OpenAPI description (not from our
// adapter): routes under <base>/rest/V1, searchCriteria as bracketed query names in either
// spelling, JSON bodies, answers that may be bare numbers or booleans, and auth as a bearer
// token or an OAuth 1.0a signature by oauth-1.0a (./oauth.mjs).
import { sign, queryString } from './oauth.mjs';

// {filterGroups: [[{field, value, conditionType}]], sortOrders: [{field, direction}],
//  pageSize, currentPage} -> [[name, value]] in the spelling asked for ('snake' or 'camel')
export function searchCriteria(sc, spelling = 'snake') {
    const [groups, cond, sorts] = spelling === 'snake'
        ? ['filter_groups', 'condition_type', 'sortOrders'] // sortOrders: as Adobe's guides write it
        : ['filterGroups', 'conditionType', 'sortOrders'];
    const out = [];
    (sc.filterGroups || []).forEach((filters, g) => filters.forEach((f, i) => {
        const at = `searchCriteria[${groups}][${g}][filters][${i}]`;
        out.push([`${at}[field]`, f.field], [`${at}[value]`, String(f.value)]);
        if (f.conditionType)
            out.push([`${at}[${cond}]`, f.conditionType]);
    }));
    (sc.sortOrders || []).forEach((s, i) => out.push(
        [`searchCriteria[${sorts}][${i}][field]`, s.field],
        [`searchCriteria[${sorts}][${i}][direction]`, s.direction]));
    if (sc.pageSize !== undefined)
        out.push(['searchCriteria[pageSize]', String(sc.pageSize)]);
    if (sc.currentPage !== undefined)
        out.push(['searchCriteria[currentPage]', String(sc.currentPage)]);
    return out;
}

// auth: {bearer: token} | {oauth: creds, signatureMethod} | {header: "..."} | {}
export function client(baseUrl, auth) {
    return async function call(method, route, { query = [], body, tamper } = {}) {
        const url = `${baseUrl}/rest${route}`;
        const headers = { Accept: 'application/json' };
        if (body !== undefined)
            headers['Content-Type'] = 'application/json';
        if (auth.bearer)
            headers.Authorization = `Bearer ${auth.bearer}`;
        else if (auth.oauth)
            headers.Authorization = sign({ signatureMethod: auth.signatureMethod || 'HMAC-SHA256',
                method, url, query, creds: auth.oauth }).authorization;
        else if (auth.header)
            headers.Authorization = auth.header;
        if (tamper)
            headers.Authorization = tamper(headers.Authorization);
        const sent = query.length ? `${url}?${queryString(query)}` : url;
        const res = await fetch(sent, { method, headers,
            body: body === undefined ? undefined : JSON.stringify(body) });
        const text = await res.text();
        let json = null;
        try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
        return { status: res.status, body: json, text };
    };
}
