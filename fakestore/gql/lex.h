/*
 * The GraphQL lexer's interface to the parser (lex.c does the work): one
 * token at a time, ignored tokens skipped (white space, line terminators,
 * commas, comments, a byte order mark), strings decoded into the arena.
 */
#ifndef SB_GQL_LEX_H
#define SB_GQL_LEX_H

#include "gql/internal.h"

enum gql_tok {
    TOK_EOF,
    TOK_BANG,
    TOK_DOLLAR,
    TOK_AMP,
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_SPREAD,
    TOK_COLON,
    TOK_EQUALS,
    TOK_AT,
    TOK_LBRACKET,
    TOK_RBRACKET,
    TOK_LBRACE,
    TOK_PIPE,
    TOK_RBRACE,
    TOK_NAME,
    TOK_INT,
    TOK_FLOAT,
    TOK_STRING,
    TOK_BLOCK_STRING,
    TOK_ERROR, /* the lexer's error is in lexer.error */
};

struct gql_token {
    enum gql_tok kind;
    struct sb_gql_loc loc;
    const char *start; /* in the source */
    size_t len;        /* in the source */
    const char *value; /* strings: decoded, in the arena */
    size_t value_len;
};

struct gql_lexer {
    const char *src, *end, *pos;
    unsigned line;
    const char *line_start;
    /* the column of col_pos, kept so that columns are counted once (a long line holds
     * many tokens) */
    const char *col_pos;
    unsigned col;
    size_t n_tokens, max_tokens;
    bool bad_utf8;
    struct sb_arena *arena;
    char error[256]; /* TOK_ERROR: the whole message, without its location */
};

void gql_lex_init(struct gql_lexer *lx, const char *src, size_t len, size_t max_tokens,
                  struct sb_arena *a);
/* The next token. TOK_ERROR with lx->error set on bad input, too many tokens, or no
 * memory (then lx->error is empty). */
struct gql_token gql_lex_next(struct gql_lexer *lx);
/* graphql-ruby's name for a token in "Parse error on ... (NAME)" messages. */
const char *gql_tok_name(const struct gql_token *t);

#endif
