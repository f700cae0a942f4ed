package backoffice

// Patterns lists the patterns of h's route table, for the tests that walk it.
func Patterns(h *Handler) []string {
	var out []string
	for _, rt := range h.routes() {
		out = append(out, rt.pattern)
	}
	return out
}

// BrowserLabel is browserLabel, for its test.
var BrowserLabel = browserLabel
