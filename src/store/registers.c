/* placeholder */
typedef int sb_placeholder_store_registers_c;
