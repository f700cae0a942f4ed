// Package textsearch turns text into the words the ticket search indexes and queries, the
// same way for PostgreSQL and SQLite, so that both engines find the same tickets.
//
// # Words
//
// [Words] folds text before it reaches either engine: lower case, accents stripped (NFD, then
// the combining marks dropped), the letters NFD leaves whole spelt out (ł→l, ß→ss, æ→ae,
// ø→o, œ→oe, đ→d, þ→th, ı→i), and everything that is neither a letter nor a digit a
// separator. "Müller", "MULLER" and "muller" are one word; so are "Łódź" and "lodz".
//
// # Documents
//
// [Vector] writes a PostgreSQL tsvector literal from weighted parts; the engine's own text
// search configuration is never consulted, so the server's locale and its dictionaries do
// not matter. SQLite's FTS5 columns receive [Fold]ed text instead.
//
// # Queries
//
// [ParseQuery] reads what a person typed: every word must match, and the last one matches as
// a prefix unless the input ends in a space (the person is still typing it). [Query.TSQuery]
// and [Query.FTS5] write the query in each engine's syntax with every word quoted, so no
// input can break the syntax.
package textsearch
