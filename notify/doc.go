// Package notify holds what the helpdesk tells people and how: the event catalogue ([Event],
// [Catalogue]) with each event's recipients, the channels ([Channel]), the [Notifier] port
// that adapters implement, templates with their tag catalogue ([Template], [Tags]), the
// built-in templates in five languages, and SMS segment counting ([CountSegments]).
//
// # Events and recipients
//
// Every event of the catalogue names the parties it goes to ([Party]: the requester, the
// assigned agent, the default group's supervisor, …) and the channels it is sent on by
// default. A tenant switches each event on or off per channel with [Switches].
//
// # Templates and tags
//
// A [Template] words one event on one channel in one language. Its fields use Go's template
// syntax restricted to the tag catalogue: {{.ticket_ref}} inserts a tag and
// {{if .comment}}…{{else}}…{{end}} tests one; functions, pipelines, variables, ranges and
// nested templates are refused by [Compile], and so is a tag the event does not offer (the
// error lists those it does). Templates are data, not code: rendering reaches nothing but the
// tag values given. E-mail HTML is rendered with html/template, so tag values are escaped for
// where they appear; an e-mail template without HTML is laid out from its text.
//
// Built-in templates ([Default]) cover every event and channel in en, de, fr, es and pl. [Pick]
// chooses between a tenant's own templates and the defaults, falling back from the
// recipient's language to the tenant's and then to English. [PreviewTemplate] renders a
// template with sample data and counts its SMS segments.
//
// # Delivery
//
// The helpdesk writes each notification into an outbox in the transaction of the change that
// caused it, then delivers it through the [Notifier] of its channel (packages smtpmail and
// twiliosms, or any implementation). A Notifier marks errors that retrying cannot cure with
// [Permanent]; everything else is retried with backoff. Adapters with delivery receipts report
// them to a [StatusSink].
package notify
