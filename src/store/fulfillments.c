/* placeholder */
typedef int sb_placeholder_store_fulfillments_c;
