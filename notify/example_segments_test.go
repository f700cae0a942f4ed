package notify_test

import (
	"fmt"
	"strings"

	"github.com/deskkit/helpdesk/notify"
)

func ExampleCountSegments() {
	for _, body := range []string{
		"Ticket T-000123 was assigned to Ada.",
		"Your invoice: 20 €",                     // € is in the extension table: 2 septets
		"Merci, ça marche !",                     // ç is not GSM-7: the whole body is UCS-2
		strings.Repeat("Pump P-200 leaks. ", 10), // 180 septets: two parts
	} {
		sc := notify.CountSegments(body)
		fmt.Printf("%s: %d unit(s), %d segment(s)\n", sc.Encoding, sc.Units, sc.Segments)
	}
	for _, part := range notify.SplitSegments(strings.Repeat("Pump P-200 leaks. ", 10)) {
		fmt.Println(len(part))
	}
	// Output:
	// GSM-7: 36 unit(s), 1 segment(s)
	// GSM-7: 19 unit(s), 1 segment(s)
	// UCS-2: 18 unit(s), 1 segment(s)
	// GSM-7: 180 unit(s), 2 segment(s)
	// 153
	// 27
}
