package backoffice

// catalogRoutes are the routes of the Templates, Devices and Customers modules.
func (h *Handler) catalogRoutes() []route {
	return nil
}
