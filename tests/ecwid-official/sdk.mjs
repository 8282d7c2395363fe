// Ecwid's official JS client, @ecwid/sdk (npm, pinned in package-lock.json). Version 0.5.0
// is a storefront library: its only service is the cart (cart.get reads the storefront's
// cart from window.localStorage; cart.goToCheckout sets window.location); it makes no
// HTTP call and has no REST v3 method (no orders, products, profile or webhooks; its README
// lists them as future work). What it does cover is read here: its TypeScript declarations
// (dist/ecommerce.d.ts) become JSON Schema by ts-json-schema-generator, and cart.get is
// handed a storefront cart whose order items are the fakestore's (the same item shape as
// REST v3's order items: productId, sku, name, price, quantity), so the SDK's own converter
// runs on the fake's values and its Cart must satisfy the SDK's declared types.
import { createRequire } from 'node:module';
import { createGenerator } from 'ts-json-schema-generator';
import Ajv from 'ajv';

const require = createRequire(import.meta.url);

export function sdkSchema() {
    const path = require.resolve('@ecwid/sdk/dist/ecommerce.d.ts');
    return createGenerator({ path, type: '*', skipTypeCheck: true, expose: 'all',
        additionalProperties: false }).createSchema('*');
}

// The Cart the SDK makes of a storefront cart holding these order items.
export async function sdkCart(storeId, items) {
    const stored = JSON.stringify({ cartId: 'OFFICIAL-CHECKS-CART', order: { items } });
    const key = `PSecwid__${storeId}PScart`; // the SDK's localStorage key (CartService.getCartKey)
    const saved = globalThis.window;
    globalThis.window = { localStorage: { getItem: (k) => (k === key ? stored : null) } };
    try {
        const { default: Ecommerce } = await import('@ecwid/sdk');
        return await new Ecommerce({ storeId }).cart.get();
    } finally {
        globalThis.window = saved;
    }
}

export function sdkValidator(schema, type) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    return ajv.compile({ ...schema, $ref: `#/definitions/${type}` });
}
