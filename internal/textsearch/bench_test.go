package textsearch_test

import (
	"testing"

	"github.com/deskkit/helpdesk/internal/textsearch"
)

func BenchmarkVector(b *testing.B) {
	doc := textsearch.Ticket{TenantID: "0193dfe3-523f-7d00-0000-000000000000", Prefix: "T", Number: 123,
		Title: "Device 12: The pump alarms every ten minutes with an occlusion warning", Description: "Das Gerät zeigt seit gestern eine Fehlermeldung beim Start. L'appareil redémarre tout seul pendant la nuit.",
		RequesterName: "Customer user 001", RequesterEmail: "cu001@t0000.scale.test"}
	msgs := []string{"Tubing replaced, alarm persists; photo of the display attached earlier.", "Urządzenie nie łączy się z siecią Wi-Fi od wczoraj."}
	for b.Loop() {
		doc.DocumentVector(msgs, msgs[:1])
	}
}
