package backoffice_test

// settingsRoutes are this module's routes in the walks of routes_test.go.
func settingsRoutes() module {
	return module{}
}
