/* placeholder */
typedef int sb_placeholder_util_csv_c;
