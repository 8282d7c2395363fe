/* placeholder */
typedef int sb_placeholder_core_customer_c;
