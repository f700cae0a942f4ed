package backoffice

// sessionRoutes are the routes of the Video Sessions module.
func (h *Handler) sessionRoutes() []route {
	return nil
}
