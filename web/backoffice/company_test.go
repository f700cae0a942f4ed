package backoffice_test

// companyRoutes are this module's routes in the walks of routes_test.go.
func companyRoutes() module {
	return module{}
}
