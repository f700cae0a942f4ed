package storage

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
)

// Unreachable reports whether err says the database could not be reached or would not serve
// (see [ErrUnavailable]), however deeply wrapped: ErrUnavailable itself, a network error (a
// refused, reset or timed-out connection), a connection closed under a statement (io.EOF,
// io.ErrUnexpectedEOF, driver.ErrBadConn), or a PostgreSQL error whose SQLSTATE is a
// connection exception (class 08), an administrator's or a crash's shutdown, a server that
// cannot accept connections yet (57P01 to 57P03), too many connections (53300) or a cancelled
// statement (57014). A driver's error is read through its SQLState() method or, as pgdriver's,
// its Field('C') method, so this package imports no driver.
func Unreachable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return unavailableState(sqlState(err))
}

// unavailableState reports whether a PostgreSQL SQLSTATE means the server could not serve.
func unavailableState(code string) bool {
	switch code {
	case "57P01", // admin_shutdown
		"57P02", // crash_shutdown
		"57P03", // cannot_connect_now: starting up or shutting down
		"53300", // too_many_connections
		"57014": // query_canceled: statement_timeout, or the client cancelled
		return true
	}
	return strings.HasPrefix(code, "08") // connection_exception
}

// sqlState returns the SQLSTATE a driver's error in err's chain carries, or "".
func sqlState(err error) string {
	var withState interface{ SQLState() string }
	if errors.As(err, &withState) {
		return withState.SQLState()
	}
	var withField interface{ Field(byte) string }
	if errors.As(err, &withField) {
		return withField.Field('C')
	}
	return ""
}
