package api

// catalogOps are the operations of the catalog area.
func catalogOps() []operation {
	return nil
}
