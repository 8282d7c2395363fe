/* placeholder */
typedef int sb_placeholder_core_demo_c;
