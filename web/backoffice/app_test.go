package backoffice_test

// appRoutes are this module's routes in the walks of routes_test.go.
func appRoutes() module {
	return module{}
}
