package backoffice_test

// sessionRoutes are this module's routes in the walks of routes_test.go.
func sessionRoutes() module {
	return module{}
}
