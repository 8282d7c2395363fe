/*
 * The table of channel kinds: one row per kind, which everything that needs
 * a kind reads (the pipeline through sb_channel_ops_for, the API's list of
 * kinds, the start-up check). To add a kind: its folder under src/channel/,
 * a row here, and the rest of docs/architecture.md's "Adding a channel kind".
 *
 * The check holds each kind to its capability bits, so the engine may test
 * bits alone: a bit promises its operations, an operation needs its bit.
 */
#include "channel/channel.h"

#include "core/channel-settings.h"

#include <string.h>

static const struct sb_channel_ops *const table[] = {
    &sb_channel_shopify, &sb_channel_magento2, &sb_channel_ecwid,
    &sb_channel_ecom,    &sb_channel_export,
};
#define N_TABLE (sizeof(table) / sizeof(table[0]))

/* tests only (sb_channel_register): one kind looked up before the table */
static const struct sb_channel_ops *registered;
/* what sb_channel_kinds lists: the registered kind, then the table's */
static const struct sb_channel_ops *listed[N_TABLE + 1];

void sb_channel_register(const struct sb_channel_ops *ops)
{
    registered = ops;
}

const struct sb_channel_ops *sb_channel_ops_for(const char *kind)
{
    if (kind && registered && strcmp(registered->kind, kind) == 0)
        return registered;
    for (size_t i = 0; kind && i < N_TABLE; i++)
        if (strcmp(table[i]->kind, kind) == 0)
            return table[i];
    return NULL;
}

const struct sb_channel_ops *const *sb_channel_kinds(size_t *ret_n)
{
    size_t n = 0;
    if (registered)
        listed[n++] = registered;
    for (size_t i = 0; i < N_TABLE; i++)
        if (!registered || strcmp(registered->kind, table[i]->kind) != 0)
            listed[n++] = table[i];
    *ret_n = n;
    return listed;
}

/* ---------------------------------------------------------------- capability names */

static const struct {
    unsigned bit;
    const char *name;
} cap_names[] = {
    { SB_CH_WEBHOOKS, "webhooks" },   { SB_CH_POLL, "poll" },
    { SB_CH_LOCATIONS, "locations" }, { SB_CH_FULFILL, "fulfill" },
    { SB_CH_CANCEL, "cancel" },       { SB_CH_STOCK, "stock" },
    { SB_CH_PRICES, "prices" },       { SB_CH_FETCH, "fetch" },
    { SB_CH_STOCK_ALL, "stock_all" }, { SB_CH_AFTER_DOWNLOAD, "after_download" },
    { SB_CH_REFUND, "refund" },       { SB_CH_EXPORT, "export" },
    { SB_CH_STATUS_IN, "status_in" }, { SB_CH_STATUS_OUT, "status_out" },
    { SB_CH_RESERVE, "reserve" },     { SB_CH_CONNECT, "connect" },
    { SB_CH_INBOUND, "inbound" },
};
#define N_CAPS (sizeof(cap_names) / sizeof(cap_names[0]))

/* The bits under which the engine calls the channel (or takes its webhooks). */
#define OUTGOING                                                                               \
    (SB_CH_WEBHOOKS | SB_CH_POLL | SB_CH_FULFILL | SB_CH_CANCEL | SB_CH_STOCK | SB_CH_PRICES | \
     SB_CH_FETCH | SB_CH_STOCK_ALL | SB_CH_AFTER_DOWNLOAD | SB_CH_REFUND | SB_CH_EXPORT |      \
     SB_CH_STATUS_OUT | SB_CH_CONNECT)

/* ---------------------------------------------------------------- statuses */

static const char *const pos_names[] = {
    [SB_POS_PENDING] = "pending",     [SB_POS_PAID] = "paid",
    [SB_POS_PACKED] = "packed",       [SB_POS_SHIPPED] = "shipped",
    [SB_POS_PICKED_UP] = "picked_up", [SB_POS_CANCELLED] = "cancelled",
};
#define N_POS (sizeof(pos_names) / sizeof(pos_names[0]))

const char *sb_pos_status_name(enum sb_pos_status s)
{
    return (unsigned)s < N_POS ? pos_names[s] : "unknown";
}

bool sb_pos_status_parse(const char *name, enum sb_pos_status *ret)
{
    for (size_t i = 0; name && i < N_POS; i++) {
        if (strcmp(pos_names[i], name) == 0) {
            *ret = (enum sb_pos_status)i;
            return true;
        }
    }
    return false;
}

static bool applies(const struct sb_status_map *m, bool pickup)
{
    return m->when == SB_WHEN_ANY || (m->when == SB_WHEN_PICKUP) == pickup;
}

const struct sb_status_map *sb_channel_status_in(const struct sb_channel_ops *ops,
                                                 const char *channel_status, bool pickup)
{
    for (const struct sb_status_map *m = ops->statuses; channel_status && m && m->channel; m++)
        if ((m->direction & SB_STATUS_IN) && applies(m, pickup) &&
            strcmp(m->channel, channel_status) == 0)
            return m;
    return NULL;
}

const struct sb_status_map *sb_channel_status_out(const struct sb_channel_ops *ops,
                                                  enum sb_pos_status pos, bool pickup)
{
    for (const struct sb_status_map *m = ops->statuses; m && m->channel; m++)
        if ((m->direction & SB_STATUS_OUT) && applies(m, pickup) && m->pos == pos)
            return m;
    return NULL;
}

/* ---------------------------------------------------------------- the check */

#define BAD(...) sb_fail(SB_EINTERNAL, "kind", __VA_ARGS__)

/* A described list: names given and unique, defaults its own checks take. */
static sb_err check_fields(const struct sb_channel_ops *ops, const struct sb_field *list,
                           const char *what)
{
    for (const struct sb_field *f = list; f && f->name; f++) {
        if (!*f->name || !f->label)
            return BAD("channel kind %s: a %s field has no name or no label", ops->kind, what);
        for (const struct sb_field *g = list; g < f; g++)
            if (strcmp(g->name, f->name) == 0)
                return BAD("channel kind %s: %s %s is described twice", ops->kind, what, f->name);
        if (f->type == SB_FIELD_CHOICE && (!f->choices || !f->choices[0]))
            return BAD("channel kind %s: %s %s has no choices", ops->kind, what, f->name);
        json_t *d = sb_field_default(f), *kept = NULL;
        if (f->dflt && !d)
            return BAD("channel kind %s: the default of %s %s is not JSON", ops->kind, what,
                       f->name);
        sb_err err = d ? sb_field_check(f, d, f->name, &kept) : SB_OK;
        json_decref(d);
        json_decref(kept);
        if (err)
            return BAD("channel kind %s: the default of %s %s is not valid", ops->kind, what,
                       f->name);
    }
    return SB_OK;
}

/* The kind describes a setting of this name and type (SB_CH_RESERVE and the push bits). */
static bool has_setting(const struct sb_channel_ops *ops, const char *name, enum sb_field_type type)
{
    const struct sb_field *f = sb_field_find(ops->settings, name);
    return f && f->type == type;
}

static bool has_rows(const struct sb_channel_ops *ops, unsigned direction)
{
    for (const struct sb_status_map *m = ops->statuses; m && m->channel; m++)
        if (m->direction & direction)
            return true;
    return false;
}

sb_err sb_channel_kind_check(const struct sb_channel_ops *ops)
{
    if (!ops || !ops->kind || !*ops->kind || !ops->label)
        return BAD("a channel kind has no name or no label");
    const char *k = ops->kind;
    unsigned caps = ops->caps;
    for (size_t i = 0; i < 32; i++) {
        bool known = false;
        for (size_t c = 0; c < N_CAPS; c++)
            known = known || cap_names[c].bit == (1u << i);
        if ((caps & (1u << i)) && !known)
            return BAD("channel kind %s: capability bit %zu is not one stockbridge knows", k, i);
    }
    if (!ops->base_url || !ops->decide || !ops->payment_type || !ops->credentials)
        return BAD("channel kind %s lacks base_url, decide, payment_type or its credentials' "
                   "descriptions, which every kind has",
                   k);
    /* each operation beside the bit that promises it: both or neither */
    const struct {
        unsigned bits; /* any of them */
        bool set;
        const char *what;
    } pairs[] = {
        { SB_CH_WEBHOOKS, ops->verify_webhook != NULL, "verify_webhook" },
        { SB_CH_WEBHOOKS, ops->parse_event != NULL, "parse_event" },
        { SB_CH_POLL, ops->poll_orders != NULL, "poll_orders" },
        { SB_CH_FETCH, ops->fetch_order != NULL, "fetch_order" },
        { SB_CH_FULFILL, ops->push_fulfillment != NULL, "push_fulfillment" },
        { SB_CH_CANCEL, ops->push_cancel != NULL, "push_cancel" },
        { SB_CH_STOCK | SB_CH_PRICES, ops->find_items != NULL, "find_items" },
        { SB_CH_STOCK | SB_CH_PRICES, ops->push_batch > 0, "push_batch" },
        { SB_CH_STOCK, ops->push_stock != NULL, "push_stock" },
        { SB_CH_STOCK, ops->read_stock != NULL, "read_stock" },
        { SB_CH_PRICES, ops->push_prices != NULL, "push_prices" },
        { SB_CH_STOCK_ALL, ops->read_stock_all != NULL, "read_stock_all" },
        { SB_CH_AFTER_DOWNLOAD, ops->after_download != NULL, "after_download" },
        { SB_CH_REFUND, ops->push_refund != NULL, "push_refund" },
        { SB_CH_REFUND, has_setting(ops, SB_CHANNEL_PUSH_REFUNDS, SB_FIELD_BOOL),
          "the setting " SB_CHANNEL_PUSH_REFUNDS " (bool)" },
        { SB_CH_EXPORT, ops->list_exported != NULL, "list_exported" },
        { SB_CH_CONNECT, ops->connect != NULL, "connect" },
        { SB_CH_CONNECT, ops->connection != NULL, "connection" },
        { SB_CH_EXPORT, ops->acknowledge != NULL, "acknowledge" },
        { SB_CH_STATUS_IN | SB_CH_STATUS_OUT, ops->statuses != NULL, "a status table" },
        { SB_CH_STATUS_IN, has_rows(ops, SB_STATUS_IN), "status table rows in" },
        { SB_CH_STATUS_OUT, has_rows(ops, SB_STATUS_OUT), "status table rows out" },
        { SB_CH_STATUS_OUT, ops->push_status != NULL, "push_status" },
        { SB_CH_STATUS_OUT, has_setting(ops, SB_CHANNEL_PUSH_STATUSES, SB_FIELD_BOOL),
          "the setting " SB_CHANNEL_PUSH_STATUSES " (bool)" },
        { SB_CH_RESERVE, has_setting(ops, SB_CHANNEL_IMPORT_AS, SB_FIELD_CHOICE),
          "the setting " SB_CHANNEL_IMPORT_AS " (a choice)" },
        { SB_CH_RESERVE, has_setting(ops, SB_CHANNEL_RESERVE_STOCK, SB_FIELD_BOOL),
          "the setting " SB_CHANNEL_RESERVE_STOCK " (bool)" },
        { SB_CH_RESERVE, has_setting(ops, SB_CHANNEL_ORDER_DEPOSITS, SB_FIELD_BOOL),
          "the setting " SB_CHANNEL_ORDER_DEPOSITS " (bool)" },
    };
    /* M9: what a channel holds itself matters only to the stock it is sent */
    if (ops->wants_after_download && !(caps & SB_CH_AFTER_DOWNLOAD))
        return BAD("channel kind %s has wants_after_download but no after_download "
                   "(SB_CH_AFTER_DOWNLOAD)",
                   k);
    if (ops->held_statuses && !(caps & SB_CH_STOCK))
        return BAD("channel kind %s has held_statuses but no stock (SB_CH_STOCK)", k);
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        bool bit = (caps & pairs[i].bits) != 0;
        if (bit && !pairs[i].set)
            return BAD("channel kind %s: a capability bit promises %s, which it lacks", k,
                       pairs[i].what);
        if (!bit && pairs[i].set)
            return BAD("channel kind %s has %s without the capability bit that promises it", k,
                       pairs[i].what);
    }
    if ((caps & SB_CH_STOCK_ALL) && !(caps & SB_CH_STOCK))
        return BAD("channel kind %s reads its whole stock but keeps none (SB_CH_STOCK)", k);
    if ((caps & SB_CH_RESERVE)) {
        const struct sb_field *f = sb_field_find(ops->settings, SB_CHANNEL_IMPORT_AS);
        bool sale = false, order = false, other = false;
        for (const char *const *c = f->choices; c && *c; c++) {
            sale = sale || strcmp(*c, "sale") == 0;
            order = order || strcmp(*c, "order") == 0;
            other = other || (strcmp(*c, "sale") != 0 && strcmp(*c, "order") != 0 &&
                              strcmp(*c, "invoice") != 0);
        }
        if (!sale || !order || other)
            return BAD("channel kind %s: its setting " SB_CHANNEL_IMPORT_AS
                       " offers sale and order (and invoice, if it likes), nothing else",
                       k);
    }
    bool state = ops->state_size > 0;
    if (state != (ops->open != NULL) || state != (ops->close != NULL))
        return BAD("channel kind %s: state_size, open and close go together", k);
    sb_err err = check_fields(ops, ops->credentials, "credential");
    if (!err)
        err = check_fields(ops, ops->settings, "setting");
    for (const struct sb_field *f = ops->settings; !err && f && f->name; f++)
        if (sb_field_find(sb_channel_common_settings, f->name))
            err = BAD("channel kind %s: its setting %s is a common setting already", k, f->name);
    for (const struct sb_status_map *m = ops->statuses; !err && m && m->channel; m++)
        if ((unsigned)m->pos >= N_POS || !m->direction || (m->direction & ~SB_STATUS_BOTH) ||
            (unsigned)m->when > SB_WHEN_PICKUP)
            err = BAD("channel kind %s: status %s has no POS status or direction", k, m->channel);
    if (!err && ops->channel_fulfills && (ops->caps & SB_CH_FULFILL))
        err = BAD("channel kind %s fulfils on the channel and takes fulfillments too", k);
    /* an inbound kind is called, never calls: no bit that makes the engine call it */
    if (!err && (caps & SB_CH_INBOUND) && (caps & OUTGOING))
        err = BAD("channel kind %s is inbound (SB_CH_INBOUND) but has capability bits that "
                  "call the channel",
                  k);
    if (!err && ops->connect_on_save && !(ops->caps & SB_CH_CONNECT))
        err = BAD("channel kind %s: connect_on_save without connect (SB_CH_CONNECT)", k);
    return err;
}

sb_err sb_channel_kinds_check(void)
{
    size_t n;
    const struct sb_channel_ops *const *kinds = sb_channel_kinds(&n);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < i; k++)
            if (strcmp(kinds[k]->kind, kinds[i]->kind) == 0)
                return BAD("channel kind %s is in the table twice", kinds[i]->kind);
        sb_err err = sb_channel_kind_check(kinds[i]);
        if (err)
            return err;
    }
    return SB_OK;
}

/* ---------------------------------------------------------------- settings */

sb_err sb_channel_kind_fill_settings(const struct sb_channel_ops *ops, json_t *settings)
{
    for (const struct sb_field *f = ops->settings; json_is_object(settings) && f && f->name; f++) {
        if (json_object_get(settings, f->name))
            continue;
        json_t *d = sb_field_default(f);
        if (d && json_object_set_new(settings, f->name, d))
            return sb_fail(SB_ENOMEM, NULL, NULL);
    }
    return SB_OK;
}

/* ---------------------------------------------------------------- what the API says */

json_t *sb_channel_kind_describe(const struct sb_channel_ops *ops)
{
    json_t *caps = json_array(), *settings = sb_fields_describe(sb_channel_common_settings),
           *own = sb_fields_describe(ops->settings), *statuses = json_array();
    int bad = !caps || !settings || !own || !statuses;
    for (size_t i = 0; !bad && i < N_CAPS; i++)
        if (ops->caps & cap_names[i].bit)
            bad |= json_array_append_new(caps, json_string(cap_names[i].name));
    if (!bad)
        bad |= json_array_extend(settings, own);
    for (const struct sb_status_map *m = ops->statuses; !bad && m && m->channel; m++)
        bad |= json_array_append_new(statuses,
                                     json_pack("{s:s,s:s,s:s,s:s}", "channel", m->channel, "pos",
                                               sb_pos_status_name(m->pos), "direction",
                                               m->direction == SB_STATUS_BOTH ? "both"
                                               : m->direction == SB_STATUS_IN ? "in"
                                                                              : "out",
                                               "when",
                                               m->when == SB_WHEN_PICKUP     ? "pickup"
                                               : m->when == SB_WHEN_SHIPPING ? "shipping"
                                                                             : "any"));
    json_decref(own);
    json_t *creds = bad ? NULL : sb_fields_describe(ops->credentials);
    json_t *o = creds ? json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "kind", ops->kind, "label",
                                  ops->label, "capabilities", caps, "credentials", creds,
                                  "settings", settings, "statuses", statuses)
                      : NULL;
    if (!o) {
        if (!creds) {
            json_decref(caps);
            json_decref(settings);
            json_decref(statuses);
        }
        return NULL;
    }
    return o;
}
