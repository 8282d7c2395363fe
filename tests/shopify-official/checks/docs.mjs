// Every GraphQL document the Shopify adapter can send, validated by graphql-js against
// Shopify's Admin schema (the introspection answer of @shopify/dev-mcp, fetched pinned by
// scripts/fetch-shopify-schema): buildClientSchema, then validate with graphql-js's
// specified rules, the deprecated fields and arguments (NoDeprecatedCustomRule), and the
// variables the adapter sent coerced against the document's declarations
// (getVariableValues). The documents come from the adapter itself
// (build/tests/shopify-docs-dump, tests/gql-adapter-docs.c), never copied by hand.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import {
    buildClientSchema, parse, validate, specifiedRules, NoDeprecatedCustomRule,
    getVariableValues, validateSchema, Kind,
} from 'graphql';
import { check, assert } from '../lib.mjs';
import { version as graphqlVersion } from 'graphql';

function messages(errors) {
    return errors.map((e) => {
        const at = e.locations?.length ? ` (line ${e.locations[0].line})` : '';
        return e.message + at;
    }).join('\n');
}

export async function run(env) {
    env.graphqlVersion = graphqlVersion;
    const introspection = JSON.parse(readFileSync(env.schemaFile, 'utf8'));
    // graphql-js 17 checks a schema more strictly than Shopify builds it (a field deprecated
    // on a type while its interface's is not): those findings are about Shopify's schema, not
    // our documents, so they are counted and printed once, and the documents are validated
    // with the schema taken as valid (assumeValid), as Shopify's own tooling does.
    const schema = buildClientSchema(introspection.data ?? introspection, { assumeValid: true });
    const strict = validateSchema(buildClientSchema(introspection.data ?? introspection));
    console.log(`note: graphql-js ${env.graphqlVersion} finds ${strict.length} issue(s) in ` +
                `Shopify's Admin ${env.apiVersion} schema itself (not checked here), e.g.: ` +
                (strict[0]?.message ?? 'none'));
    const docs = JSON.parse(execFileSync(env.docsDump, { encoding: 'utf8' }));
    assert(docs.length > 0, 'the adapter sent no document');
    for (const doc of docs) {
        let ast = null;
        await check(`docs/${doc.operation}: parses and validates against Admin ${env.apiVersion}`,
            () => {
                ast = parse(doc.query);
                const errors = validate(schema, ast, specifiedRules);
                assert(errors.length === 0, messages(errors));
            });
        if (!ast)
            continue;
        await check(`docs/${doc.operation}: uses no deprecated field, argument or value`, () => {
            const errors = validate(schema, ast, [NoDeprecatedCustomRule]);
            assert(errors.length === 0, messages(errors));
        });
        if (doc.variables === null || doc.variables === undefined)
            continue; // the bulk query: a document sent as a string, with no variables
        await check(`docs/${doc.operation}: the variables it sent coerce to their declared types`,
            () => {
                const op = ast.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION &&
                    (!d.name || d.name.value === doc.operation));
                assert(op, `no operation ${doc.operation} in the document`);
                const out = getVariableValues(schema, op.variableDefinitions ?? [], doc.variables);
                assert(!out.errors, messages(out.errors ?? []));
            });
    }
    // A rule of Shopify's beyond the schema (2026-04 on): every quantity of
    // inventorySetQuantities carries changeFromQuantity, null to skip the compare-and-swap;
    // the field is nullable in the schema, so validation alone cannot see it missing.
    const set = docs.find((d) => /\binventorySetQuantities\b/.test(d.query));
    await check('docs/SbInventorySet: every quantity carries changeFromQuantity (2026-04 on)',
        () => {
            assert(set, 'the adapter sent no inventorySetQuantities');
            const input = Object.values(set.variables ?? {}).find((v) => v?.quantities);
            assert(input, 'no input with quantities among the variables');
            const missing = input.quantities.filter((q) => !('changeFromQuantity' in q));
            assert(missing.length === 0,
                `${missing.length} of ${input.quantities.length} quantities without ` +
                'changeFromQuantity: ' + JSON.stringify(missing[0]));
        });
    return docs.length;
}
