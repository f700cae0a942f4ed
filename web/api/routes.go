package api

import "slices"

// operations is the API: every operation of every area, in the document's order.
func operations() []operation {
	return slices.Concat(ticketOps(), sessionsOps(), catalogOps(), companyOps(), settingsOps(), tokenOps(), webhookOps())
}
