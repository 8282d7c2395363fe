/* placeholder: tests arrive with their module */
#include <criterion/criterion.h>
