/* placeholder */
typedef int sb_placeholder_store_items_c;
