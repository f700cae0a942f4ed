package api

// sessionsOps are the operations of the sessions area.
func sessionsOps() []operation {
	return nil
}
