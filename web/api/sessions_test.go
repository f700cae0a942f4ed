package api_test

import "testing"

// sessionsRecords makes the records the sessions scenarios name, in both tenants (the second tenant's
// as "kind:other", for TestIsolation).
func sessionsRecords(t *testing.T, w *world) {
	t.Helper()
}

func sessionsScenarios() map[string][]scenario {
	return nil
}
