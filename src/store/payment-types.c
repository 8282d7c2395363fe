/* placeholder */
typedef int sb_placeholder_store_payment_types_c;
