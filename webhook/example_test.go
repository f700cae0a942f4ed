package webhook_test

import (
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/webhook"
)

// A receiver verifies (the specification's own test vector) a delivery with the endpoint's secret; a changed body fails.
func ExampleVerify() {
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	at := time.Unix(1614265330, 0)
	body := []byte(`{"test": 2432232314}`)
	h, _ := webhook.Headers([]string{secret}, "msg_p5jXN8AQM9LWM0D4loKWxJek", at, body)
	fmt.Println(h.Get(webhook.HeaderSignature))
	fmt.Println(webhook.Verify([]string{secret}, h, body, at.Add(time.Minute), 0))
	fmt.Println(webhook.Verify([]string{secret}, h, []byte(`{"type":"ticket.closed"}`), at, 0))
	// Output:
	// v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
	// <nil>
	// webhook: no matching signature
}
