// THE ONE ALLOW-LIST of the places where Magento itself answers otherwise than its OpenAPI
// description says, so that a faithful fakestore must too. Each entry names one place in the
// converted description (`at`: a definition, or "definition/properties/field") and one kind
// of departure, with the reason (the source that shows Magento does it); an error it covers is
// printed as allowed, never hidden. There is no blanket switch: an extra field, a wrong type
// or a missing field not listed here fails.
//   keyword 'type'     the value has another JSON type than declared; it must then be valid
//                      against `instead` (e.g. {type: 'null'}), or the error stands
//   keyword 'required' the field `property`, declared required, is left out
// An entry that no record of the scenario run needed is reported STALE and fails the run
// (scripts/test-magento-official scenario), so the list cannot outlive the quirk. Magento's
// positional error parameters (a list of strings for "%1" messages, where the description
// declares a list of objects) are not listed: no answer checked here carries one yet.
export const deviations = [
    {
        id: 'payment.cc_last4-null',
        at: 'sales-data-order-payment-interface/properties/cc_last4',
        keyword: 'type',
        instead: { type: 'null' },
        reason: 'declared required string; Magento answers "cc_last4": null for every payment ' +
            'that is not a stored card (../shared/WIRE.md, Magento corrections: required ' +
            'fields come back as null rather than absent)',
    },
    {
        id: 'payment.account_status-null',
        at: 'sales-data-order-payment-interface/properties/account_status',
        keyword: 'type',
        instead: { type: 'null' },
        reason: 'declared required string; Magento answers "account_status": null ' +
            '(../shared/WIRE.md, Magento corrections)',
    },
    {
        id: 'error.parameters-named',
        at: 'error-parameters',
        keyword: 'type',
        instead: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
        reason: 'declared a list of {resources, fieldName, fieldValue}; Magento sends the ' +
            'phrase\'s arguments, a JSON object for a message with named placeholders, e.g. the ' +
            '401 {"message":"The consumer isn\'t authorized to access %resources.",' +
            '"parameters":{"resources":"Magento_Sales::actions_view"}} (Magento\\Framework\\' +
            'Webapi\\ErrorProcessor; the issue 12 contract)',
    },
];
