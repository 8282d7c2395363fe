// Known, deliberate departures of the fakestore's Ecwid answers from the Java client's DTOs
// (schemas.mjs), each with its reason. An entry forgives one schema error: dto, the JSON
// pointer of the value (a RegExp), the ajv keyword and, for additionalProperties, the
// property. An entry no answer needs any more is STALE and fails the run (lib.mjs).
export const deviations = [
];
