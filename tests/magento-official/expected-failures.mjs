// THE ONE LIST of checks of scripts/test-magento-official that are known to fail, each with
// the reason. A check listed here that fails is reported XFAIL and does not fail the run; one
// that passes (XPASS), or an entry naming no check that ran, fails the run until the entry is
// removed. (Magento's own departures from its OpenAPI file are not failures: they are in
// deviations.mjs.)
export const expectedFailures = new Map([
]);
