package backoffice

// settingsRoutes are the routes of My Company's settings: event switches, durations, offer, request form, branding, notification templates, SMTP, failed notifications, the audit log.
func (h *Handler) settingsRoutes() []route {
	return nil
}
