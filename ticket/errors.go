package ticket

import "errors"

// ErrInvalidRef is returned (wrapped) by ParseRef for a malformed ticket reference.
var ErrInvalidRef = errors.New("invalid ticket reference")
