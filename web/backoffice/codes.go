package backoffice

// codeRoutes are the routes of the Codes module.
func (h *Handler) codeRoutes() []route {
	return nil
}
