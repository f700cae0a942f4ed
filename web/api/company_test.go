package api_test

import "testing"

// companyRecords makes the records the company scenarios name, in both tenants (the second tenant's
// as "kind:other", for TestIsolation).
func companyRecords(t *testing.T, w *world) {
	t.Helper()
}

func companyScenarios() map[string][]scenario {
	return nil
}
