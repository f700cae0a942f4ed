package api

// settingsOps are the operations of the settings area.
func settingsOps() []operation {
	return nil
}
