package api_test

import "testing"

// settingsRecords makes the records the settings scenarios name, in both tenants (the second tenant's
// as "kind:other", for TestIsolation).
func settingsRecords(t *testing.T, w *world) {
	t.Helper()
}

func settingsScenarios() map[string][]scenario {
	return nil
}
