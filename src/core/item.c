/* placeholder */
typedef int sb_placeholder_core_item_c;
