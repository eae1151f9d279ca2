/* SPDX-License-Identifier: MIT */
/*
 * parse.c - from a command line to a list of pipelines.
 *
 * The lexer (advance) cuts the text into tokens: words, the operators
 * | && || ; & and newline, and redirections (an optional descriptor
 * number, then < > >> <> >| <& >&). A word keeps its quotes and $
 * signs: expand.c removes them only when the command runs, so that
 * `X=1; echo $X` sees the new value.
 *
 * The parser is recursive descent over this grammar:
 *
 *   list      := and_or ( (';' | '&' | newline) and_or )*
 *   and_or    := pipeline ( ('&&' | '||') newline* pipeline )*
 *   pipeline  := ['!'] command ( '|' newline* command )*
 *   command   := ( word | redirection )+
 *
 * A word keeps its quotes here; expansion removes them when it runs.
 *
 * When the text ends where more must follow (an open quote, a trailing
 * backslash, or | && || at the end), the result is PARSE_INCOMPLETE and
 * main.c reads another line.
 */
#include <stdlib.h>
#include <string.h>

#include "sh.h"

enum token_kind {
	TOKEN_WORD, TOKEN_PIPE, TOKEN_AND, TOKEN_OR, TOKEN_SEMICOLON,
	TOKEN_AMPERSAND, TOKEN_NEWLINE, TOKEN_REDIRECT, TOKEN_END,
};

struct token {
	enum token_kind kind;
	char *text;			/* TOKEN_WORD: the raw word */
	int fd;				/* TOKEN_REDIRECT: the descriptor redirected */
	enum redirect_kind redirect;	/* TOKEN_REDIRECT */
};

struct parser {
	const char *position;
	struct token token;		/* the lookahead */
	enum parse_result result;	/* the first problem met, if any */
};

static void syntax_error(struct parser *parser, const char *near)
{
	if (parser->result == PARSE_OK) {
		report_error("syntax error near unexpected token `%s'", near);
		parser->result = PARSE_ERROR;
	}
}

static const char *token_name(const struct token *token)
{
	static const char *names[] = {
		[TOKEN_WORD] = "word", [TOKEN_PIPE] = "|", [TOKEN_AND] = "&&",
		[TOKEN_OR] = "||", [TOKEN_SEMICOLON] = ";", [TOKEN_AMPERSAND] = "&",
		[TOKEN_NEWLINE] = "newline", [TOKEN_REDIRECT] = "redirection",
		[TOKEN_END] = "newline",
	};
	return token->kind == TOKEN_WORD ? token->text : names[token->kind];
}

static bool ends_word(char ch)
{
	return ch == '\0' || strchr(" \t\n|&;<>()", ch) != NULL;
}

/*
 * Finds the end of the word at start, stepping over quotes and escapes.
 * Returns NULL when a quote (or a final backslash) is still open.
 */
static const char *scan_word(const char *start)
{
	const char *scan = start;

	while (!ends_word(*scan)) {
		if (*scan == '\\') {
			if (scan[1] == '\0')
				return NULL;
			scan += 2;
		} else if (*scan == '\'') {
			scan = strchr(scan + 1, '\'');
			if (!scan)
				return NULL;
			scan++;
		} else if (*scan == '"') {
			for (scan++; *scan != '"'; scan++) {
				if (*scan == '\0')
					return NULL;
				if (*scan == '\\' && scan[1] != '\0')
					scan++;
			}
			scan++;
		} else {
			scan++;
		}
	}
	return scan;
}

/* Reads a redirection operator at parser->position, after its optional fd. */
static void lex_redirection(struct parser *parser, int fd)
{
	const char *scan = parser->position;
	struct token *token = &parser->token;

	token->kind = TOKEN_REDIRECT;
	token->fd = fd >= 0 ? fd : (*scan == '<' ? 0 : 1);
	if (scan[0] == '<' && scan[1] == '<') {
		report_error("here-documents are not supported");
		parser->result = PARSE_ERROR;
		token->kind = TOKEN_END;
		return;
	}
	if (scan[0] == '>' && scan[1] == '>')
		token->redirect = REDIRECT_APPEND, scan += 2;
	else if (scan[1] == '&')
		token->redirect = REDIRECT_DUP, scan += 2;
	else if (scan[0] == '<' && scan[1] == '>')
		token->redirect = REDIRECT_READ_WRITE, scan += 2;
	else if (scan[0] == '>' && scan[1] == '|')
		token->redirect = REDIRECT_OUT, scan += 2;
	else
		token->redirect = scan[0] == '<' ? REDIRECT_IN : REDIRECT_OUT, scan += 1;
	parser->position = scan;
}

/* Moves the lookahead to the next token. */
static void advance(struct parser *parser)
{
	const char *scan = parser->position;
	struct token *token = &parser->token;

	while (*scan == ' ' || *scan == '\t' || (scan[0] == '\\' && scan[1] == '\n'))
		scan += *scan == '\\' ? 2 : 1;
	if (*scan == '#')	/* a comment runs to the end of the line */
		while (*scan && *scan != '\n')
			scan++;
	parser->position = scan;
	memset(token, 0, sizeof(*token));

	static const struct { const char *text; enum token_kind kind; } operators[] = {
		{ "&&", TOKEN_AND }, { "||", TOKEN_OR }, { "|", TOKEN_PIPE },
		{ "&", TOKEN_AMPERSAND }, { ";", TOKEN_SEMICOLON }, { "\n", TOKEN_NEWLINE },
	};
	if (*scan == '\0') {
		token->kind = TOKEN_END;
		return;
	}
	for (size_t i = 0; i < sizeof(operators) / sizeof(operators[0]); i++) {
		size_t length = strlen(operators[i].text);
		if (strncmp(scan, operators[i].text, length) == 0) {
			token->kind = operators[i].kind;
			parser->position = scan + length;
			return;
		}
	}
	/* An io number: digits right before < or >, as in 2>file. */
	const char *digits = scan;
	while (*digits >= '0' && *digits <= '9')
		digits++;
	if (digits > scan && (*digits == '<' || *digits == '>')) {
		parser->position = digits;
		lex_redirection(parser, atoi(scan));
		return;
	}
	if (*scan == '<' || *scan == '>') {
		lex_redirection(parser, -1);
		return;
	}
	if (*scan == '(' || *scan == ')') {
		token->kind = TOKEN_END;
		syntax_error(parser, *scan == '(' ? "(" : ")");
		return;
	}
	const char *end = scan_word(scan);
	if (!end) {
		if (parser->result == PARSE_OK)
			parser->result = PARSE_INCOMPLETE;
		token->kind = TOKEN_END;
		return;
	}
	token->kind = TOKEN_WORD;
	token->text = arena_strndup(scan, end - scan);
	parser->position = end;
}

/* After | && ||: newlines may follow, and the end of input means "more, please". */
static bool expect_more(struct parser *parser)
{
	advance(parser);
	while (parser->token.kind == TOKEN_NEWLINE)
		advance(parser);
	if (parser->token.kind == TOKEN_END && parser->result == PARSE_OK)
		parser->result = PARSE_INCOMPLETE;
	return parser->result == PARSE_OK;
}

static struct command *parse_command(struct parser *parser)
{
	struct command *command = arena_alloc(sizeof(*command));

	for (;;) {
		struct token *token = &parser->token;
		if (token->kind == TOKEN_WORD) {
			if (command->word_count == MAX_WORDS) {
				syntax_error(parser, token->text);
				return NULL;
			}
			command->words[command->word_count++] = token->text;
		} else if (token->kind == TOKEN_REDIRECT) {
			struct redirection *redirection = &command->redirections[command->redirection_count];
			redirection->fd = token->fd;
			redirection->kind = token->redirect;
			advance(parser);
			if (token->kind != TOKEN_WORD) {
				syntax_error(parser, token_name(token));
				return NULL;
			}
			redirection->target = token->text;
			if (++command->redirection_count == MAX_WORDS) {
				syntax_error(parser, token->text);
				return NULL;
			}
		} else {
			break;
		}
		advance(parser);
	}
	if (command->word_count == 0 && command->redirection_count == 0) {
		syntax_error(parser, token_name(&parser->token));
		return NULL;
	}
	return command;
}

static struct pipeline *parse_pipeline(struct parser *parser)
{
	struct pipeline *pipeline = arena_alloc(sizeof(*pipeline));

	if (parser->token.kind == TOKEN_WORD && strcmp(parser->token.text, "!") == 0) {
		pipeline->negate = true;
		advance(parser);
	}
	for (;;) {
		struct command *command = parse_command(parser);
		if (!command)
			return NULL;
		if (pipeline->command_count == MAX_PIPELINE) {
			syntax_error(parser, "|");
			return NULL;
		}
		pipeline->commands[pipeline->command_count++] = command;
		if (parser->token.kind != TOKEN_PIPE)
			return pipeline;
		if (!expect_more(parser))
			return NULL;
	}
}

/* Parses a whole command line; *list is the first pipeline (NULL if empty). */
enum parse_result parse_line(const char *text, struct pipeline **list)
{
	struct parser parser = { .position = text, .result = PARSE_OK };
	struct pipeline **tail = list;
	enum connector connector = RUN_ALWAYS;

	*list = NULL;
	advance(&parser);
	while (parser.result == PARSE_OK && parser.token.kind != TOKEN_END) {
		if (parser.token.kind == TOKEN_NEWLINE && connector == RUN_ALWAYS) {
			advance(&parser);	/* empty lines */
			continue;
		}
		struct pipeline *pipeline = parse_pipeline(&parser);
		if (!pipeline)
			break;
		pipeline->connector = connector;
		*tail = pipeline;
		tail = &pipeline->next;
		connector = RUN_ALWAYS;
		switch (parser.token.kind) {
		case TOKEN_AMPERSAND:
			pipeline->background = true;
			/* fall through */
		case TOKEN_SEMICOLON:
		case TOKEN_NEWLINE:
			advance(&parser);
			break;
		case TOKEN_AND:
		case TOKEN_OR:
			connector = parser.token.kind == TOKEN_AND ? RUN_IF_SUCCESS : RUN_IF_FAILURE;
			expect_more(&parser);
			break;
		case TOKEN_END:
			break;
		default:
			syntax_error(&parser, token_name(&parser.token));
		}
	}
	return parser.result;
}
