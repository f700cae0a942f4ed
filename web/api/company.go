package api

// companyOps are the operations of the company area.
func companyOps() []operation {
	return nil
}
