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
