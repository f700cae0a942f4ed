package tenant_test

import (
	"errors"
	"fmt"

	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

func ExampleActor_Validate() {
	operator := uuid.New()
	agent := tenant.Employee(operator, uuid.New(), tenant.RoleAgent, "Sam Agent")
	fmt.Println(agent.Validate())

	notAnEmployeeRole := tenant.Employee(operator, uuid.New(), tenant.RoleCustomerUser, "Mallory")
	err := notAnEmployeeRole.Validate()
	fmt.Println(errors.Is(err, tenant.ErrInvalidActor), err)
	// Output:
	// <nil>
	// true invalid actor: employee with role "customer_user"
}

func ExampleAuthorize() {
	operator, northwind, contoso := uuid.New(), uuid.New(), uuid.New()
	nina := tenant.CustomerUser(operator, northwind, uuid.New(), tenant.RoleCustomerUser, "Nina")
	ticketOf := func(customer uuid.UUID) *tenant.Resource {
		return &tenant.Resource{Kind: tenant.KindTicket, TenantID: operator, ID: uuid.New(), CustomerID: customer}
	}
	fmt.Println(tenant.Authorize(nina, tenant.ActTicketRead, ticketOf(northwind)))
	err := tenant.Authorize(nina, tenant.ActTicketRead, ticketOf(contoso))
	fmt.Println(errors.Is(err, tenant.ErrHidden)) // reported as not found: existence does not leak
	err = tenant.Authorize(nina, tenant.ActTemplateRead, nil)
	fmt.Println(errors.Is(err, tenant.ErrForbidden), err)
	// Output:
	// <nil>
	// true
	// true forbidden: customer_user may not template.read
}

func ExampleCheckPassword() {
	fmt.Println(tenant.CheckPassword("Correct-Horse-7"))
	fmt.Println(tenant.CheckPassword("horse"))
	// Output:
	// <nil>
	// password needs at least 8 characters, an upper-case letter and a digit
}
