package notify

import "slices"

// Tag is a placeholder a template may use, written {{.name}}, as in {{.ticket_ref}}. The tags
// form a fixed catalogue: a template can reach nothing else.
type Tag string

// The tag catalogue (docs/concepts.md, "Notifications"), plus the recipient's name and the
// one-time link of account events, which those events cannot do without.
const (
	TagRequestLink   Tag = "request_link"   // the requester's link to their ticket's page
	TagTicketRef     Tag = "ticket_ref"     // the ticket's reference, "T-000123"
	TagTicketID      Tag = "ticket_id"      // the ticket's number, "123"
	TagTitle         Tag = "title"          // the ticket's title
	TagDescription   Tag = "description"    // the ticket's description
	TagPriority      Tag = "priority"       // the ticket's priority name
	TagRequester     Tag = "requester"      // the requester's name and contact details
	TagDate          Tag = "date"           // the current date, 2006-01-02
	TagTime          Tag = "time"           // the current time, 15:04 UTC
	TagSupportLink   Tag = "support_link"   // the link to reach support
	TagTicketLink    Tag = "ticket_link"    // the ticket in the back office
	TagManagerName   Tag = "manager_name"   // the employee in charge of the ticket
	TagPlanningDate  Tag = "planning_date"  // the planned time of a video session
	TagAcceptLink    Tag = "accept_link"    // accepts a proposed session time
	TagRefuseLink    Tag = "refuse_link"    // refuses a proposed session time
	TagComment       Tag = "comment"        // the text of the comment added
	TagClosureReason Tag = "closure_reason" // why the ticket was closed, rejected or cancelled
	TagRecipientName Tag = "recipient_name" // the name of the person the message is for
	TagAccountLink   Tag = "account_link"   // the one-time link of an account event
	TagFormLink      Tag = "form_link"      // the request link that opens a device's request form
	TagDeviceName    Tag = "device_name"    // the device a request link is for
	TagWebhookURL    Tag = "webhook_url"    // the URL of a webhook endpoint
	TagWebhookReason Tag = "webhook_reason" // why a webhook endpoint was switched off
	TagWebhookLink   Tag = "webhook_link"   // the webhook endpoint's page in the back office
)

// TagInfo describes a tag of the catalogue.
type TagInfo struct {
	Tag Tag
	// Description says what the tag inserts.
	Description string
	// Sample is the value previews render.
	Sample string
}

var tagCatalogue = []TagInfo{
	{TagRequestLink, "the requester's link to the ticket's page", "https://desk.example/requests/9Qm2xYv"},
	{TagTicketRef, "the ticket's reference", "T-000123"},
	{TagTicketID, "the ticket's number", "123"},
	{TagTitle, "the ticket's title", "Pump P-200 leaks oil"},
	{TagDescription, "the ticket's description", "Oil under the pump since this morning; pressure drops after 10 minutes."},
	{TagPriority, "the ticket's priority", "High"},
	{TagRequester, "the requester's name and contact details", "Ada Lovelace, ada@northwind.example, +4930123456"},
	{TagDate, "the current date", "2026-11-23"},
	{TagTime, "the current time", "14:05 UTC"},
	{TagSupportLink, "the link to reach support", "https://desk.example/support"},
	{TagTicketLink, "the ticket in the back office", "https://desk.example/tickets/0193a1b2-0000-7000-8000-000000000123"},
	{TagManagerName, "the employee in charge of the ticket", "Grace Hopper"},
	{TagPlanningDate, "the planned time of the video session", "2026-11-24 09:30 UTC"},
	{TagAcceptLink, "the link that accepts the proposed time", "https://desk.example/sessions/4kTz/accept"},
	{TagRefuseLink, "the link that refuses the proposed time", "https://desk.example/sessions/4kTz/refuse"},
	{TagComment, "the text of the comment added", "Could you send a photo of the type plate?"},
	{TagClosureReason, "the reason given for closing", "Seal replaced on site."},
	{TagRecipientName, "the name of the person the message is for", "Ada Lovelace"},
	{TagFormLink, "the request link that opens the device's request form", "https://desk.example/request-links/7Hd0aQ"},
	{TagDeviceName, "the device the request link is for", "Pump P-200"},
	{TagAccountLink, "the one-time link of the account event", "https://desk.example/invitation/Zr8pQw"},
	{TagWebhookURL, "the URL of the webhook endpoint", "https://erp.example/hooks/helpdesk"},
	{TagWebhookReason, "why the webhook endpoint was switched off", "20 failed attempts in a row; the last: 503 Service Unavailable"},
	{TagWebhookLink, "the webhook endpoint's page in the back office", "https://desk.example/company/webhooks/0193a1b2-0000-7000-8000-000000000321"},
}

// Tags returns the tag catalogue, in a fixed order. The result is a copy.
func Tags() []TagInfo { return slices.Clone(tagCatalogue) }

// Valid reports whether t is in the catalogue.
func (t Tag) Valid() bool {
	return slices.ContainsFunc(tagCatalogue, func(i TagInfo) bool { return i.Tag == t })
}

// Data are the tag values one notification is rendered with. Tags without a value render
// empty.
type Data map[Tag]string

// SampleData returns every tag's sample value, which previews render.
func SampleData() Data {
	d := make(Data, len(tagCatalogue))
	for _, i := range tagCatalogue {
		d[i.Tag] = i.Sample
	}
	return d
}
