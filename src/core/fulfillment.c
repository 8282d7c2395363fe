/* placeholder */
typedef int sb_placeholder_core_fulfillment_c;
