/* placeholder */
typedef int sb_placeholder_store_customers_c;
