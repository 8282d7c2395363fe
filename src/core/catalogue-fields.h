/*
 * The fields a channel requires of an item before it lists it, and the names
 * the channel gives the item's identifiers (SPEC I8), as data: the export
 * channel (a SmartEtailing-style webstore that reads the catalogue) requires
 * a default cost or an MSRP, a UPC or an EAN, and a manufacturer SKU, and
 * calls the UPC GTIN1, the EAN GTIN2 and the manufacturer SKU MPN. Each
 * requirement carries the name a setting will turn it off by, so that the
 * table, not code, says what a channel asks for. An item that misses a
 * requirement is listed with the reason naming the fields, never skipped.
 */
#ifndef SB_CORE_CATALOGUE_FIELDS_H
#define SB_CORE_CATALOGUE_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The item fields a requirement or a mapping speaks of. */
enum sb_catalogue_field {
    SB_CF_DEFAULT_COST,
    SB_CF_MSRP,
    SB_CF_UPC,
    SB_CF_EAN,
    SB_CF_MANUFACTURER_SKU,
};

/* What of an item the requirements look at. A cost or MSRP of 0 is "not given" (the
 * columns default to 0); an empty or NULL code is not given either. */
struct sb_catalogue_fields {
    int64_t default_cost, msrp;
    const char *upc, *ean, *manufacturer_sku;
};

/* The item's name of a field ("default_cost", "upc", ...), as the item API spells it. */
const char *sb_catalogue_field_name(enum sb_catalogue_field f);
bool sb_catalogue_field_present(const struct sb_catalogue_fields *it, enum sb_catalogue_field f);

/* One requirement: met when any of its fields is present. */
struct sb_catalogue_requirement {
    const char *setting; /* the bool setting that will turn it on or off: "require_..." */
    enum sb_catalogue_field any_of[2];
    size_t n_any_of;
    const char *reason; /* "needs a default cost or an MSRP" */
};

/* I8, the export channel's requirements, in the order reasons are given. Requirement i
 * is on when bit (1u << i) of a mask is set. */
extern const struct sb_catalogue_requirement sb_export_requirements[];
extern const size_t sb_export_n_requirements;
/* Every requirement on: the default (the seed requires all three). */
#define SB_EXPORT_REQUIRE_ALL 0x7u

/* I8: the bits of the requirements (among those on in mask) that the item misses; 0
 * when it has every required field. */
unsigned sb_catalogue_missing(const struct sb_catalogue_fields *it, unsigned mask);

/* I8, the export channel's names for the item's identifiers. */
struct sb_catalogue_mapping {
    enum sb_catalogue_field field;
    const char *channel_name; /* "GTIN1" */
};
extern const struct sb_catalogue_mapping sb_export_mapping[];
extern const size_t sb_export_n_mapping;

/* The item's text for a code field (UPC, EAN, manufacturer SKU); NULL when not given. */
const char *sb_catalogue_code(const struct sb_catalogue_fields *it, enum sb_catalogue_field f);

#endif
