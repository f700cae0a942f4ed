package twilioapi_test

import (
	"fmt"

	"github.com/deskkit/helpdesk/internal/twilioapi"
)

func ExampleValidSID() {
	fmt.Println(twilioapi.ValidSID("AC0123456789abcdef0123456789abcdef", "AC"))
	fmt.Println(twilioapi.ValidSID("SK0123456789abcdef0123456789abcdef", "AC"))
	fmt.Printf("%q\n", twilioapi.SecretProblem("s3cr3t-token"))
	// Output:
	// true
	// false
	// "may contain only letters and digits"
}
