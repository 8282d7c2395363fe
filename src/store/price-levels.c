/* placeholder */
typedef int sb_placeholder_store_price_levels_c;
