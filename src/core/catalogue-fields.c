/*
 * I8 as data: the export channel's field requirements and its names for the
 * item's identifiers, and the checks that read them (catalogue-fields.h).
 */
#include "core/catalogue-fields.h"

const struct sb_catalogue_requirement sb_export_requirements[] = {
    { "require_cost_or_msrp",
      { SB_CF_DEFAULT_COST, SB_CF_MSRP },
      2,
      "needs a default cost or an MSRP" },
    { "require_upc_or_ean", { SB_CF_UPC, SB_CF_EAN }, 2, "needs a UPC or an EAN" },
    { "require_manufacturer_sku", { SB_CF_MANUFACTURER_SKU }, 1, "needs a manufacturer SKU" },
};
const size_t sb_export_n_requirements =
    sizeof(sb_export_requirements) / sizeof(sb_export_requirements[0]);

const struct sb_catalogue_mapping sb_export_mapping[] = {
    { SB_CF_UPC, "GTIN1" },
    { SB_CF_EAN, "GTIN2" },
    { SB_CF_MANUFACTURER_SKU, "MPN" },
};
const size_t sb_export_n_mapping = sizeof(sb_export_mapping) / sizeof(sb_export_mapping[0]);

const char *sb_catalogue_field_name(enum sb_catalogue_field f)
{
    switch (f) {
    case SB_CF_DEFAULT_COST:
        return "default_cost";
    case SB_CF_MSRP:
        return "msrp";
    case SB_CF_UPC:
        return "upc";
    case SB_CF_EAN:
        return "ean";
    case SB_CF_MANUFACTURER_SKU:
        return "manufacturer_sku";
    }
    return "?";
}

const char *sb_catalogue_code(const struct sb_catalogue_fields *it, enum sb_catalogue_field f)
{
    const char *s = f == SB_CF_UPC                ? it->upc
                    : f == SB_CF_EAN              ? it->ean
                    : f == SB_CF_MANUFACTURER_SKU ? it->manufacturer_sku
                                                  : NULL;
    return s && s[0] ? s : NULL;
}

bool sb_catalogue_field_present(const struct sb_catalogue_fields *it, enum sb_catalogue_field f)
{
    if (f == SB_CF_DEFAULT_COST)
        return it->default_cost > 0;
    if (f == SB_CF_MSRP)
        return it->msrp > 0;
    return sb_catalogue_code(it, f) != NULL;
}

unsigned sb_catalogue_missing(const struct sb_catalogue_fields *it, unsigned mask)
{
    unsigned missing = 0;
    for (size_t i = 0; i < sb_export_n_requirements; i++) {
        if (!(mask & (1u << i)))
            continue;
        const struct sb_catalogue_requirement *r = &sb_export_requirements[i];
        bool met = false;
        for (size_t k = 0; k < r->n_any_of && !met; k++)
            met = sb_catalogue_field_present(it, r->any_of[k]);
        if (!met)
            missing |= 1u << i;
    }
    return missing;
}
