/* placeholder */
typedef int sb_placeholder_core_sale_c;
