package api

// Op is an operation as the tests walk them.
type Op struct{ ID, Method, Path string }

// Ops lists the API's operations.
func Ops() []Op {
	var out []Op
	for _, o := range operations() {
		out = append(out, Op{o.id, o.method, o.path})
	}
	return out
}

// ParseIfMatch and ETagOf are the If-Match reader and the ETag writer.
var (
	ParseIfMatch = parseIfMatch
	ETagOf       = etagOf
)
