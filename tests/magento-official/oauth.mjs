// OAuth 1.0a request signing (RFC 5849) by a library no one here wrote: oauth-1.0a (npm,
// pinned in package.json), with node:crypto's HMAC as its hash function. Used to sign the
// checks' requests to the fakestore and to write tests/fixtures/magento2/oauth-vectors.json.
// The query is handed to the library as decoded name/value pairs and the URL without it
// (the library would percent-encode an already encoded query name a second time); a JSON
// body is never part of the signature (RFC 5849 3.4.1.3.1: only form-encoded bodies are).
import OAuth from 'oauth-1.0a';
import { createHmac } from 'node:crypto';

export const SIGNATURE_METHODS = { 'HMAC-SHA256': 'sha256', 'HMAC-SHA1': 'sha1' };

// RFC 3986 unreserved characters stay, everything else is %XX (as the library encodes)
export function rfc3986(s) {
    return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function queryString(pairs) {
    return pairs.map(([k, v]) => `${rfc3986(k)}=${rfc3986(String(v))}`).join('&');
}

// creds: {consumer_key, consumer_secret, access_token, access_token_secret};
// fixed: {nonce, timestamp} for reproducible signatures, else the library draws them.
// -> {authorization, signature, base_string, signing_key, oauth (the oauth_* values)}
export function sign({ signatureMethod, method, url, query = [], creds, fixed }) {
    const algo = SIGNATURE_METHODS[signatureMethod];
    if (!algo)
        throw new Error(`no signature method ${signatureMethod}`);
    const oauth = OAuth({
        consumer: { key: creds.consumer_key, secret: creds.consumer_secret },
        signature_method: signatureMethod,
        hash_function: (base, key) => createHmac(algo, key).update(base).digest('base64'),
    });
    if (fixed) {
        oauth.getNonce = () => fixed.nonce;
        oauth.getTimeStamp = () => fixed.timestamp;
    }
    const data = Object.fromEntries(query.map(([k, v]) => [k, String(v)]));
    if (Object.keys(data).length !== query.length)
        throw new Error('a query name given twice: oauth-1.0a 2.2.6 signs those wrongly');
    const token = { key: creds.access_token, secret: creds.access_token_secret };
    const values = oauth.authorize({ method, url, data: { ...data } }, token);
    const { oauth_signature: signature, ...unsigned } = values;
    return {
        authorization: oauth.toHeader(values).Authorization,
        signature,
        base_string: oauth.getBaseString({ method, url, data: { ...data } }, { ...unsigned }),
        signing_key: oauth.getSigningKey(token.secret),
        oauth: values,
    };
}
