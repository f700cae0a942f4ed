// Package pgtest gives tests a PostgreSQL schema of their own, and a proxy that takes the
// server away from the code under test and gives it back.
//
// Tests read the DSN from HELPDESK_TEST_POSTGRES and skip without it, unless
// HELPDESK_REQUIRE_POSTGRES=1, which turns a missing or unreachable server into a failure.
package pgtest
