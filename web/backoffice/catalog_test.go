package backoffice_test

// catalogRoutes are this module's routes in the walks of routes_test.go.
func catalogRoutes() module {
	return module{}
}
