/* placeholder */
typedef int sb_placeholder_store_employees_c;
