/* placeholder */
typedef int sb_placeholder_store_sales_c;
