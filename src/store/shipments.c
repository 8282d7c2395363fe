/* placeholder */
typedef int sb_placeholder_store_shipments_c;
