// THE ONE LIST of checks of scripts/test-magento-official that are known to fail, each with
// the reason. A check listed here that fails is reported XFAIL and does not fail the run; one
// that passes (XPASS), or an entry naming no check that ran, fails the run until the entry is
// removed. (Magento's own departures from its OpenAPI file are not failures: they are in
// deviations.mjs.)
const NO_MAGENTO_FAKE = 'the fakestore\'s Magento mode (--kind magento2, its traffic log and ' +
    'control API) is on branch h-fake (issue 12) and not merged into this one yet: remove ' +
    'this entry when it is (the checks after it then run)';
export const expectedFailures = new Map([
    ['oauth/the fakestore starts in Magento mode', NO_MAGENTO_FAKE],
    ['scenario/the fakestore starts in Magento mode', NO_MAGENTO_FAKE],
]);
