package helpdesk_test

import (
	"fmt"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/ticket"
)

// A handler serving a ticket's file sets its Content-Disposition from ContentDisposition: a
// photo may show inline, anything else downloads, and the name reaches the browser whole
// without being able to break the header.
func ExampleContentDisposition() {
	photo := &ticket.Attachment{Name: "Pumpe 7 – Typenschild.jpg", ContentType: "image/jpeg"}
	page := &ticket.Attachment{Name: `report"; filename=x.html`, ContentType: "application/octet-stream"}
	fmt.Println(helpdesk.ContentDisposition(photo, true))
	fmt.Println(helpdesk.ContentDisposition(page, true))
	// Output:
	// inline; filename="Pumpe 7 _ Typenschild.jpg"; filename*=UTF-8''Pumpe%207%20%E2%80%93%20Typenschild.jpg
	// attachment; filename="report filename=x.html"
}
