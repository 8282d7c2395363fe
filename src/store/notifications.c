/* placeholder */
typedef int sb_placeholder_store_notifications_c;
