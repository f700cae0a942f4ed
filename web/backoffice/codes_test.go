package backoffice_test

// codeRoutes are this module's routes in the walks of routes_test.go.
func codeRoutes() module {
	return module{}
}
