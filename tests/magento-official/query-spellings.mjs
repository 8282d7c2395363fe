// The searchCriteria spellings the validator accepts besides the ones Magento's OpenAPI file
// declares. The file declares camelCase (searchCriteria[filterGroups][0][filters][0]
// [conditionType], searchCriteria[sortOrders][0][field]); Adobe's own REST guides ("Search
// using REST endpoints") write snake_case (searchCriteria[filter_groups][0][filters][0]
// [condition_type]), and Magento reads both: its ServiceInputProcessor turns each key into
// the setter's name with SimpleDataObjectConverter::snakeCaseToUpperCamelCase. Only the
// spellings that appear in official material are listed: [other spelling, declared one].
// pageSize and currentPage are written camelCase everywhere official, so they are not here.
export const spellings = [
    ['filter_groups', 'filterGroups'],
    ['condition_type', 'conditionType'],
    ['sort_orders', 'sortOrders'],
];
