/*
 * Validation of what fields and directives are given: arguments, the literal
 * values in them (input objects included, field by field), directives, and
 * variable definitions and uses. The rules and their graphql-ruby names:
 *
 *   - "Field 'orders' doesn't accept argument 'frist'" (argumentNotAccepted), also for
 *     input object fields ("InputObject 'T' doesn't accept argument 'x'") and directives
 *     - ArgumentsAreDefined;
 *   - "Field 'order' is missing required arguments: id" (missingRequiredArguments) -
 *     RequiredArgumentsArePresent;
 *   - "Argument 'first' on Field 'orders' has an invalid value (\"ten\"). Expected type
 *     'Int'." (argumentLiteralsIncompatible), reported on the innermost argument or input
 *     field whose value is wrong, and only when nothing inside it was reported already -
 *     ArgumentLiteralsAreCompatible;
 *   - "Argument 'name' on InputObject 'T' is required. Expected type String!"
 *     (missingRequiredInputObjectAttribute) - RequiredInputObjectAttributesArePresent;
 *   - "OneOf Input Object 'T' must specify exactly one key." (invalidOneOfInputObject);
 *   - "There can be only one argument named \"x\"" (argumentNotUnique), "There can be
 *     only one input field named \"x\"" (inputFieldNotUnique);
 *   - "Directive @x is not defined" (undefinedDirective), "'@skip' can't be applied to
 *     queries (allowed: fields, fragment spreads, inline fragments)"
 *     (directiveCannotBeApplied), "The directive \"skip\" can only be used once at this
 *     location." (directiveNotUniqueForLocation);
 *   - variable definitions: "There can only be one variable named \"x\""
 *     (variableNotUnique), "Foo isn't a defined input type (on $x)" and "Order isn't a
 *     valid input type (on $x)" (variableRequiresValidType), "Default value for $x
 *     doesn't match type Int" (defaultValueInvalidType);
 *   - variable uses: "Type mismatch on variable $x and argument first (String / Int)",
 *     also "List dimension mismatch", "Nullability mismatch" (variableMismatch) -
 *     VariableUsagesAreAllowed, called per operation by validate-doc.c.
 */
#include "gql/validate.h"

#include <string.h>

/* The argument (or input field) whose value is being checked. */
struct argctx {
    const char *kind;                   /* "Field", "Directive", "InputObject" */
    const char *owner;                  /* the field's key, the directive's or type's name */
    const struct sb_gql_loc *owner_loc; /* where an invalid value is reported */
    const char *name;
    struct sb_gql_loc loc;
    const struct sb_gql_typeref *type;
    const struct sb_gql_value *value;
    bool has_default;
    bool bad; /* its own value is wrong (not something inside an input object in it) */
};

static void check_value(struct validator *v, struct argctx *c, const struct sb_gql_value *val,
                        const struct sb_gql_typeref *t, unsigned list_wrap);

static void record_usage(struct validator *v, struct argctx *c, const struct sb_gql_value *val,
                         const struct sb_gql_typeref *t, unsigned list_wrap)
{
    struct definition *d = v->cur;
    if (!d)
        return;
    if (d->n_usages == d->cap_usages) {
        size_t cap = d->cap_usages ? d->cap_usages * 2 : 8;
        struct usage *u = sb_arena_alloc(v->a, cap * sizeof(*u));
        if (!u) {
            v_oom(v);
            return;
        }
        if (d->n_usages)
            memcpy(u, d->usages, d->n_usages * sizeof(*u));
        d->usages = u;
        d->cap_usages = cap;
    }
    d->usages[d->n_usages++] = (struct usage){
        .name = val->text,
        .loc = val->loc,
        .path = v_path_copy(v),
        .loc_type = t,
        .loc_default = list_wrap == 0 && t == c->type && c->has_default,
        .arg_name = c->name,
        .arg_loc = c->loc,
        .arg_type = c->type,
        .list_wrap = list_wrap,
    };
}

static void unique_names(struct validator *v, const struct sb_gql_arg *args, size_t n,
                         const char *code, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        size_t first = 0;
        while (strcmp(args[first].name, args[i].name) != 0)
            first++;
        if (first != i)
            continue; /* reported with the first */
        json_t *err = NULL;
        for (size_t k = i + 1; k < n; k++) {
            if (strcmp(args[k].name, args[i].name) != 0)
                continue;
            if (!err) {
                err = gql_error(&v->errs, &args[i].loc, v_path_json(v, NULL),
                                gql_ext(&v->errs, code, "name", args[i].name, NULL),
                                "There can be only one %s named \"%s\"", what, args[i].name);
                if (!err)
                    break;
            }
            gql_error_loc(&v->errs, err, &args[k].loc);
        }
    }
}

/* Reports the argument's own value, once, unless something inside it was reported. */
static void finish_arg(struct validator *v, struct argctx *c, size_t errors_before)
{
    if (!c->bad || v->errs.count != errors_before)
        return;
    struct gql_buf val = { .len = 0 }, type = { .len = 0 };
    val.text[0] = type.text[0] = '\0';
    gql_print_value(&val, c->value);
    gql_print_typeref(&type, c->type);
    gql_error(&v->errs, c->owner_loc, v_path_json(v, NULL),
              gql_ext(&v->errs, "argumentLiteralsIncompatible", "typeName", c->kind, "argumentName",
                      c->name, NULL),
              "Argument '%s' on %s '%s' has an invalid value (%s). Expected type '%s'.", c->name,
              c->kind, c->owner, val.text, type.text);
}

static void input_object(struct validator *v, const struct sb_gql_value *obj,
                         const struct sb_gql_type *t)
{
    unique_names(v, obj->fields, obj->n_fields, "inputFieldNotUnique", "input field");
    for (size_t i = 0; i < obj->n_fields; i++) {
        const struct sb_gql_arg *f = &obj->fields[i];
        const struct sb_gql_input_value *def = sb_gql_type_input(t, f->name);
        v_push(v, f->name);
        if (!def) {
            gql_error(&v->errs, &f->loc, v_path_json(v, NULL),
                      gql_ext(&v->errs, "argumentNotAccepted", "name", t->name, "typeName",
                              "InputObject", "argumentName", f->name, NULL),
                      "InputObject '%s' doesn't accept argument '%s'", t->name, f->name);
        } else {
            struct argctx c = {
                .kind = "InputObject",
                .owner = t->name,
                .owner_loc = &obj->loc,
                .name = f->name,
                .loc = f->loc,
                .type = def->type,
                .value = f->value,
                .has_default = def->default_value != NULL,
            };
            size_t before = v->errs.count;
            check_value(v, &c, f->value, def->type, 0);
            finish_arg(v, &c, before);
        }
        v_pop(v);
    }
    for (size_t i = 0; i < t->n_inputs; i++) {
        const struct sb_gql_input_value *def = &t->inputs[i];
        if (def->type->form != SB_GQL_NON_NULL || def->default_value)
            continue;
        size_t k = 0;
        while (k < obj->n_fields && strcmp(obj->fields[k].name, def->name) != 0)
            k++;
        if (k < obj->n_fields)
            continue;
        const char *sig = sb_gql_typeref_text(def->type, v->a);
        if (!sig)
            v_oom(v);
        gql_error(&v->errs, &obj->loc, v_path_json(v, NULL),
                  gql_ext(&v->errs, "missingRequiredInputObjectAttribute", "argumentName",
                          def->name, "argumentType", sig, "inputObjectType", t->name, NULL),
                  "Argument '%s' on InputObject '%s' is required. Expected type %s", def->name,
                  t->name, sig ? sig : "");
    }
    if (t->one_of) {
        if (obj->n_fields != 1)
            gql_error(
                &v->errs, &obj->loc, v_path_json(v, NULL),
                gql_ext(&v->errs, "invalidOneOfInputObject", "inputObjectType", t->name, NULL),
                "OneOf Input Object '%s' must specify exactly one key.", t->name);
        else if (obj->fields[0].value->kind == SB_GQL_V_NULL)
            gql_error(
                &v->errs, &obj->loc, v_path_json(v, NULL),
                gql_ext(&v->errs, "invalidOneOfInputObject", "inputObjectType", t->name, NULL),
                "Argument '%s.%s' must be non-null.", t->name, obj->fields[0].name);
    }
}

static void check_value(struct validator *v, struct argctx *c, const struct sb_gql_value *val,
                        const struct sb_gql_typeref *t, unsigned list_wrap)
{
    if (val->kind == SB_GQL_V_VARIABLE) {
        record_usage(v, c, val, t, list_wrap);
        return;
    }
    if (t->form == SB_GQL_NON_NULL) {
        if (val->kind == SB_GQL_V_NULL)
            c->bad = true;
        else
            check_value(v, c, val, t->of, list_wrap);
        return;
    }
    if (val->kind == SB_GQL_V_NULL)
        return;
    if (t->form == SB_GQL_LIST) {
        if (val->kind != SB_GQL_V_LIST) {
            check_value(v, c, val, t->of, list_wrap); /* a list of one */
            return;
        }
        for (size_t i = 0; i < val->n_items; i++) {
            bool obj = val->items[i]->kind == SB_GQL_V_OBJECT;
            if (obj)
                v_push_index(v, (long)i);
            check_value(v, c, val->items[i], t->of, list_wrap + 1);
            if (obj)
                v_pop(v);
        }
        return;
    }
    if (t->named->kind == SB_GQL_INPUT_OBJECT) {
        if (val->kind != SB_GQL_V_OBJECT)
            c->bad = true;
        else
            input_object(v, val, t->named);
        return;
    }
    if (val->kind == SB_GQL_V_OBJECT &&
        !(t->named->kind == SB_GQL_SCALAR && strcmp(t->named->name, "JSON") == 0)) {
        c->bad = true;
        return;
    }
    if (!gql_literal_fits(v->s, val, t, true))
        c->bad = true;
}

void v_arguments(struct validator *v, const char *kind, const char *owner,
                 const struct sb_gql_loc *owner_loc, const struct sb_gql_input_value *defs,
                 size_t n_defs, const struct sb_gql_arg *args, size_t n_args)
{
    unique_names(v, args, n_args, "argumentNotUnique", "argument");
    for (size_t i = 0; i < n_args; i++) {
        const struct sb_gql_arg *arg = &args[i];
        const struct sb_gql_input_value *def = NULL;
        for (size_t k = 0; k < n_defs && !def; k++)
            if (strcmp(defs[k].name, arg->name) == 0)
                def = &defs[k];
        v_push(v, arg->name);
        if (!def) {
            gql_error(&v->errs, &arg->loc, v_path_json(v, NULL),
                      gql_ext(&v->errs, "argumentNotAccepted", "name", owner, "typeName", kind,
                              "argumentName", arg->name, NULL),
                      "%s '%s' doesn't accept argument '%s'", kind, owner, arg->name);
        } else {
            struct argctx c = {
                .kind = kind,
                .owner = owner,
                .owner_loc = owner_loc,
                .name = arg->name,
                .loc = arg->loc,
                .type = def->type,
                .value = arg->value,
                .has_default = def->default_value != NULL,
            };
            size_t before = v->errs.count;
            check_value(v, &c, arg->value, def->type, 0);
            finish_arg(v, &c, before);
        }
        v_pop(v);
    }
}

void v_required_arguments(struct validator *v, const char *kind, const char *name,
                          const struct sb_gql_loc *loc, const struct sb_gql_input_value *defs,
                          size_t n_defs, const struct sb_gql_arg *args, size_t n_args)
{
    struct gql_buf missing = { .len = 0 };
    missing.text[0] = '\0';
    for (size_t i = 0; i < n_defs; i++) {
        if (defs[i].type->form != SB_GQL_NON_NULL || defs[i].default_value)
            continue;
        size_t k = 0;
        while (k < n_args && strcmp(args[k].name, defs[i].name) != 0)
            k++;
        if (k < n_args)
            continue;
        if (missing.len)
            gql_buf_add(&missing, ", ", 2);
        gql_buf_add(&missing, defs[i].name, strlen(defs[i].name));
    }
    if (missing.len)
        gql_error(&v->errs, loc, v_path_json(v, NULL),
                  gql_ext(&v->errs, "missingRequiredArguments", "className", kind, "name", name,
                          "arguments", missing.text, NULL),
                  "%s '%s' is missing required arguments: %s", kind, name, missing.text);
}

static const struct {
    unsigned bit;
    const char *words;
} location_words[] = {
    { SB_GQL_LOC_QUERY, "queries" },
    { SB_GQL_LOC_MUTATION, "mutations" },
    { SB_GQL_LOC_SUBSCRIPTION, "subscriptions" },
    { SB_GQL_LOC_FIELD, "fields" },
    { SB_GQL_LOC_FRAGMENT_DEFINITION, "fragment definitions" },
    { SB_GQL_LOC_FRAGMENT_SPREAD, "fragment spreads" },
    { SB_GQL_LOC_INLINE_FRAGMENT, "inline fragments" },
    { SB_GQL_LOC_VARIABLE_DEFINITION, "variable definitions" },
};

void v_directives(struct validator *v, const struct sb_gql_directive *dirs, size_t n,
                  unsigned location)
{
    for (size_t i = 0; i < n; i++) {
        const struct sb_gql_directive *d = &dirs[i];
        const struct sb_gql_directive_def *def = sb_gql_schema_directive(v->s, d->name);
        if (!def) {
            gql_error(&v->errs, &d->loc, v_path_json(v, NULL),
                      gql_ext(&v->errs, "undefinedDirective", "directiveName", d->name, NULL),
                      "Directive @%s is not defined", d->name);
            continue;
        }
        if (!(def->locations & location)) {
            struct gql_buf allowed = { .len = 0 };
            const char *here = "";
            allowed.text[0] = '\0';
            for (size_t k = 0; k < sizeof(location_words) / sizeof(location_words[0]); k++) {
                if (location_words[k].bit == location)
                    here = location_words[k].words;
                if (!(def->locations & location_words[k].bit))
                    continue;
                if (allowed.len)
                    gql_buf_add(&allowed, ", ", 2);
                gql_buf_add(&allowed, location_words[k].words, strlen(location_words[k].words));
            }
            gql_error(&v->errs, &d->loc, v_path_json(v, NULL),
                      gql_ext(&v->errs, "directiveCannotBeApplied", "targetName", here, "name",
                              d->name, NULL),
                      "'@%s' can't be applied to %s (allowed: %s)", d->name, here, allowed.text);
        }
        if (!def->repeatable) {
            size_t k = 0;
            while (strcmp(dirs[k].name, d->name) != 0)
                k++;
            if (k < i)
                gql_error(&v->errs, &d->loc, v_path_json(v, NULL),
                          gql_ext(&v->errs, "directiveNotUniqueForLocation", "directiveName",
                                  d->name, NULL),
                          "The directive \"%s\" can only be used once at this location.", d->name);
        }
        v_required_arguments(v, "Directive", d->name, &d->loc, def->args, def->n_args, d->args,
                             d->n_args);
        v_arguments(v, "Directive", d->name, &d->loc, def->args, def->n_args, d->args, d->n_args);
    }
}

static const struct sb_gql_type_ast *named_ast(const struct sb_gql_type_ast *t)
{
    while (t->form != SB_GQL_NAMED)
        t = t->of;
    return t;
}

void v_variable_definitions(struct validator *v, const struct sb_gql_operation *op)
{
    for (size_t i = 0; i < op->n_vars; i++) {
        const struct sb_gql_vardef *d = &op->vars[i];
        size_t first = 0;
        while (strcmp(op->vars[first].name, d->name) != 0)
            first++;
        if (first < i) {
            gql_error(&v->errs, &d->loc, v_path_json(v, NULL),
                      gql_ext(&v->errs, "variableNotUnique", "variableName", d->name, NULL),
                      "There can only be one variable named \"%s\"", d->name);
            continue;
        }
        const char *tname = named_ast(d->type)->name;
        const struct sb_gql_type *t = sb_gql_schema_type(v->s, tname);
        if (!t || !gql_is_input(t)) {
            gql_error(&v->errs, &d->loc, v_path_json(v, NULL),
                      gql_ext(&v->errs, "variableRequiresValidType", "typeName", tname,
                              "variableName", d->name, NULL),
                      "%s isn't a %s input type (on $%s)", tname, t ? "valid" : "defined", d->name);
            continue;
        }
        if (d->default_value && !gql_literal_fits_ast(v->s, d->default_value, d->type)) {
            struct gql_buf sig = { .len = 0 };
            sig.text[0] = '\0';
            gql_print_type_ast(&sig, d->type);
            gql_error(&v->errs, &d->loc, v_path_json(v, NULL),
                      gql_ext(&v->errs, "defaultValueInvalidType", "variableName", d->name,
                              "typeName", sig.text, NULL),
                      "Default value for $%s doesn't match type %s", d->name, sig.text);
        }
        v_directives(v, d->dirs, d->n_dirs, SB_GQL_LOC_VARIABLE_DEFINITION);
    }
}

static unsigned list_dimension(const struct sb_gql_typeref *t)
{
    unsigned n = 0;
    for (; t->form != SB_GQL_NAMED; t = t->of)
        n += t->form == SB_GQL_LIST;
    return n;
}

/* graphql-ruby's non_null_levels_match (variable_usages_are_allowed.rb). */
static bool non_null_levels_match(const struct sb_gql_typeref *arg,
                                  const struct sb_gql_typeref *var)
{
    while (arg->form != SB_GQL_NAMED && var->form != SB_GQL_NAMED) {
        if (arg->form == SB_GQL_NON_NULL && var->form != SB_GQL_NON_NULL)
            return false;
        if (var->form == SB_GQL_NON_NULL && arg->form != SB_GQL_NON_NULL)
            var = var->of;
        arg = arg->of;
        var = var->of;
    }
    return !(arg->form == SB_GQL_NON_NULL && var->form != SB_GQL_NON_NULL);
}

void v_variable_usage(struct validator *v, const struct sb_gql_operation *op,
                      const struct sb_gql_vardef *def, const struct usage *u)
{
    (void)op;
    const struct sb_gql_typeref *var = gql_typeref_of_ast(v->s, def->type, v->a);
    if (!var || !gql_is_input(sb_gql_typeref_named(var)))
        return; /* reported with the definition */
    /* a non-null default makes a nullable variable as good as non-null (graphql-ruby) */
    if (var->form != SB_GQL_NON_NULL && def->default_value &&
        def->default_value->kind != SB_GQL_V_NULL)
        var = gql_typeref_new(v->a, SB_GQL_NON_NULL, NULL, var);
    /* a variable inside list literals stands for their items */
    for (unsigned i = 0; var && i < u->list_wrap; i++)
        var = gql_typeref_new(v->a, SB_GQL_NON_NULL, NULL,
                              gql_typeref_new(v->a, SB_GQL_LIST, NULL, var));
    if (!var) {
        v_oom(v);
        return;
    }
    /* an argument with a default takes a nullable variable (graphql-ruby issue 3793) */
    const struct sb_gql_typeref *arg = u->arg_type;
    bool arg_default = u->list_wrap == 0 && u->loc_default;
    if (arg->form == SB_GQL_NON_NULL && arg_default)
        arg = arg->of;
    const char *problem = NULL;
    if (sb_gql_typeref_named(var) != sb_gql_typeref_named(arg))
        problem = "Type mismatch";
    else if (list_dimension(var) != list_dimension(arg))
        problem = "List dimension mismatch";
    else if (!non_null_levels_match(arg, var))
        problem = "Nullability mismatch";
    if (!problem)
        return;
    const char *var_sig = sb_gql_typeref_text(var, v->a);
    const char *arg_sig = sb_gql_typeref_text(u->arg_type, v->a);
    if (!var_sig || !arg_sig) {
        v_oom(v);
        return;
    }
    gql_error(&v->errs, &u->arg_loc, v_path_json(v, &u->path),
              gql_ext(&v->errs, "variableMismatch", "variableName", u->name, "typeName", var_sig,
                      "argumentName", u->arg_name, "errorMessage", problem, NULL),
              "%s on variable $%s and argument %s (%s / %s)", problem, u->name, u->arg_name,
              var_sig, arg_sig);
}
