package backoffice

// appRoutes are the routes of the installable web app: manifest, service worker, push subscriptions.
func (h *Handler) appRoutes() []route {
	return nil
}
