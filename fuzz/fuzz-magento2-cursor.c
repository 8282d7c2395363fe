/*
 * The Magento 2 poll cursor (channel/magento2/cursor.c), the only thing a
 * poll resumes from: stored text that may be damaged. What parses must format
 * back to text that parses to the same positions; what does not must be a
 * clean SB_EINVALID_FIELD.
 */
#include "fuzz.h"

#include "channel/magento2/magento2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_cstr(data, size);
    struct sb_arena *a = sb_arena_new();
    if (!text || !a)
        goto done;
    struct sb_m2_cursor c, back;
    sb_err err = sb_m2_cursor_parse(text, &c);
    fz_check_error(err);
    if (err) {
        FZ_CHECK(err == SB_EINVALID_FIELD, "refused with %s", sb_err_code(err));
        goto done;
    }
    const char *again = sb_m2_cursor_format(&c, a);
    FZ_CHECK(again && sb_m2_cursor_parse(again, &back) == SB_OK, "\"%s\" does not parse back",
             again ? again : "(null)");
    FZ_CHECK(back.orders.at == c.orders.at && back.orders.id == c.orders.id &&
                 back.memos.at == c.memos.at && back.memos.id == c.memos.id,
             "\"%s\" reads back otherwise", again);
    FZ_CHECK(!*text || strcmp(again, text) == 0, "\"%s\" formats as \"%s\"", text, again);
done:
    sb_arena_free(a);
    free(text);
    return 0;
}
