package backoffice

// companyRoutes are the routes of My Company's people and structure: departments, employees, teams, projects, statuses and priorities, canned responses.
func (h *Handler) companyRoutes() []route {
	return nil
}
