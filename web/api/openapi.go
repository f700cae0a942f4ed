package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/webhook"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
)

// The document is generated from the operations' declarations (code-first): each operation's
// input and output types are the request and answer the handler decodes and encodes, so the
// document and the code cannot disagree. The generator is ours rather than openapi3gen's
// because OpenAPI 3.1 wants what openapi3gen does not write: required fields taken from
// `omitempty`, type arrays instead of `nullable`, enums of the domain's named strings.

// Document returns the API's OpenAPI 3.1 document as indented JSON, as served at
// /api/v1/openapi.json and committed as docs/openapi.json.
func Document() ([]byte, error) {
	doc, err := document(operations())
	if err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("api: document: %w", err)
	}
	return append(out, '\n'), nil
}

func document(ops []operation) (*openapi3.T, error) {
	g := &generator{comps: openapi3.Schemas{}, types: map[string]reflect.Type{}}
	doc := &openapi3.T{
		OpenAPI: "3.1.0",
		Info: &openapi3.Info{Title: "helpdesk API", Version: "1",
			Description: "The JSON API of a deskkit helpdesk: tickets, video sessions, devices, codes, people, " +
				"settings and notifications, as the back office offers them. Authenticate with an API token " +
				"(Authorization: Bearer hdt_…); every POST takes an Idempotency-Key; writes to versioned records " +
				"take If-Match with the record's ETag. Errors are application/problem+json (RFC 9457)."},
		Servers: openapi3.Servers{{URL: Prefix}},
		Paths:   openapi3.NewPaths(),
		Components: &openapi3.Components{Schemas: g.comps, SecuritySchemes: openapi3.SecuritySchemes{
			"token": {Value: &openapi3.SecurityScheme{Type: "http", Scheme: "bearer",
				Description: "An API token a user created for themselves (hdt_…), with its scopes."}},
			"session": {Value: &openapi3.SecurityScheme{Type: "apiKey", In: "cookie", Name: SessionCookie,
				Description: "The back office's session cookie; unsafe requests must come from the same origin."}},
		}},
		Security: openapi3.SecurityRequirements{{"token": []string{}}, {"session": []string{}}},
	}
	// Every operation's errors: one response, with the header a 503 carries.
	failure := openapi3.NewResponse().WithDescription("an error, as RFC 9457 problem details").
		WithContent(openapi3.Content{"application/problem+json": &openapi3.MediaType{Schema: g.schema(reflect.TypeFor[Problem]())}})
	failure.Headers = openapi3.Headers{"Retry-After": {Value: &openapi3.Header{Parameter: openapi3.Parameter{
		Description: "with a 503 (code unavailable: the database or a service it needs cannot be reached): " +
			"the seconds to wait before retrying",
		Schema: openapi3.NewSchemaRef("", openapi3.NewIntegerSchema())}}}}
	doc.Components.Responses = openapi3.ResponseBodies{"Problem": {Value: failure}}
	problem := &openapi3.ResponseRef{Ref: "#/components/responses/Problem", Value: failure}
	for _, o := range ops {
		item := doc.Paths.Value(o.path)
		if item == nil {
			item = &openapi3.PathItem{}
			doc.Paths.Set(o.path, item)
		}
		if item.GetOperation(o.method) != nil {
			return nil, fmt.Errorf("api: %s %s declared twice", o.method, o.path)
		}
		op, err := g.operation(o, problem)
		if err != nil {
			return nil, err
		}
		item.SetOperation(o.method, op)
	}
	doc.Webhooks = g.webhooks()
	return doc, nil
}

// webhooks describes what a tenant's webhook endpoints receive: for each event of the
// catalogue, and for a test send, a POST of the payload, signed as the Standard Webhooks
// specification says.
func (g *generator) webhooks() map[string]*openapi3.PathItem {
	payload := g.schema(reflect.TypeFor[webhook.Payload]())
	header := func(name, desc string) *openapi3.ParameterRef {
		return &openapi3.ParameterRef{Value: &openapi3.Parameter{Name: name, In: "header", Required: true,
			Description: desc, Schema: openapi3.NewSchemaRef("", openapi3.NewStringSchema())}}
	}
	params := openapi3.Parameters{
		header("webhook-id", "the message's ID: the same on every attempt and replay, for de-duplication"),
		header("webhook-timestamp", "when the attempt was signed, in Unix seconds"),
		header("webhook-signature", "v1,<base64 HMAC-SHA256 of id.timestamp.body under the endpoint's secret>; "+
			"two, space-separated, while a rotated secret still signs"),
	}
	out := map[string]*openapi3.PathItem{}
	add := func(event, summary string) {
		op := &openapi3.Operation{OperationID: "webhook_" + strings.NewReplacer(".", "_").Replace(event),
			Tags: []string{"Webhooks"}, Summary: summary, Parameters: params,
			RequestBody: &openapi3.RequestBodyRef{Value: &openapi3.RequestBody{Required: true,
				Description: "the payload; its type is " + event,
				Content:     openapi3.NewContentWithJSONSchemaRef(payload)}},
			Responses: openapi3.NewResponses()}
		op.Responses.Set("2XX", &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription(
			"delivered; any other answer (or none within the timeout) is retried with backoff")})
		out[event] = &openapi3.PathItem{Post: op}
	}
	for _, spec := range notify.Catalogue() {
		add(string(spec.Event), spec.Description)
	}
	add(webhook.TestEvent, "a test send from the back office or POST /webhooks/{id}/test")
	return out
}

func (g *generator) operation(o operation, problem *openapi3.ResponseRef) (*openapi3.Operation, error) {
	op := &openapi3.Operation{OperationID: o.id, Tags: []string{o.tag}, Summary: o.summary,
		Responses: openapi3.NewResponses()}
	if o.public {
		op.Security = &openapi3.SecurityRequirements{}
	}
	if err := g.params(op, o, o.in); err != nil {
		return nil, err
	}
	if o.method == http.MethodPost {
		op.Parameters = append(op.Parameters, &openapi3.ParameterRef{Value: &openapi3.Parameter{
			Name: "Idempotency-Key", In: "header", Schema: openapi3.NewSchemaRef("", &openapi3.Schema{
				Type: &openapi3.Types{"string"}, MinLength: 1, MaxLength: ptr(uint64(255))}),
			Description: "makes a retry safe: a request repeated with the same key (by the same caller, " +
				"within 24 hours) answers as the first did and changes nothing again"}})
	}
	success := openapi3.NewResponse().WithDescription(http.StatusText(o.status))
	switch {
	case o.status == http.StatusNoContent:
	case len(o.produces) > 0:
		success.Content = openapi3.Content{}
		for _, ct := range o.produces {
			success.Content[ct] = &openapi3.MediaType{Schema: openapi3.NewSchemaRef("", &openapi3.Schema{
				Type: &openapi3.Types{"string"}, Format: "binary"})}
		}
	default:
		success.Content = openapi3.NewContentWithJSONSchemaRef(g.schema(o.out))
	}
	if versioned(o.out) {
		success.Headers = openapi3.Headers{"ETag": {Value: &openapi3.Header{Parameter: openapi3.Parameter{
			Description: "the record's version, for If-Match", Schema: openapi3.NewSchemaRef("", openapi3.NewStringSchema())}}}}
	}
	op.Responses.Set(fmt.Sprint(o.status), &openapi3.ResponseRef{Value: success})
	op.Responses.Set("default", problem)
	return op, nil
}

// params adds the parameters and the body of input type t.
func (g *generator) params(op *openapi3.Operation, o operation, t reflect.Type) error {
	for i := range t.NumField() {
		f := t.Field(i)
		in, name := "", ""
		switch {
		case f.Anonymous && f.Type.Kind() == reflect.Struct:
			if err := g.params(op, o, f.Type); err != nil {
				return err
			}
			continue
		case f.Tag.Get("path") != "":
			in, name = "path", f.Tag.Get("path")
		case f.Tag.Get("query") != "":
			in, name = "query", f.Tag.Get("query")
		case f.Tag.Get("header") != "":
			in, name = "header", f.Tag.Get("header")
		case f.Name == "Body" && f.Type == rawType:
			content := openapi3.Content{}
			for _, ct := range o.raw {
				content[ct] = &openapi3.MediaType{Schema: openapi3.NewSchemaRef("", &openapi3.Schema{
					Type: &openapi3.Types{"string"}, Format: "binary"})}
			}
			op.RequestBody = &openapi3.RequestBodyRef{Value: &openapi3.RequestBody{Required: true, Content: content}}
			continue
		case f.Name == "Body":
			op.RequestBody = &openapi3.RequestBodyRef{Value: &openapi3.RequestBody{Required: true,
				Content: openapi3.NewContentWithJSONSchemaRef(g.schema(f.Type))}}
			continue
		default:
			return fmt.Errorf("api: %s: input field %s has no path, query or header tag", o.id, f.Name)
		}
		s := g.schema(f.Type)
		op.Parameters = append(op.Parameters, &openapi3.ParameterRef{Value: &openapi3.Parameter{
			Name: name, In: in, Required: in == "path", Description: f.Tag.Get("doc"), Schema: s,
			Explode: explode(f.Type)}})
	}
	return nil
}

// explode says a list parameter may repeat (?state=open&state=assigned); it may also be
// given comma-separated, which the document cannot express beyond its description.
func explode(t reflect.Type) *bool {
	if t.Kind() == reflect.Slice {
		return ptr(true)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// generator writes the schemas of Go types, named ones once as components.
type generator struct {
	comps openapi3.Schemas
	// types are the Go types behind comps, so that two types never share a name.
	types map[string]reflect.Type
}

// enums lists the values of the named string types the API exposes.
var enums = map[reflect.Type]func() []string{}

// enumType registers the values of a named string type for the document.
func enumType[T ~string](values func() []T) struct{} {
	enums[reflect.TypeFor[T]()] = func() []string {
		var out []string
		for _, v := range values() {
			out = append(out, string(v))
		}
		return out
	}
	return struct{}{}
}

// schema returns the schema of t: a $ref for named structs, inline otherwise.
func (g *generator) schema(t reflect.Type) *openapi3.SchemaRef {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case uuidType:
		return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "uuid"})
	case timeType:
		return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "date-time"})
	case reflect.TypeFor[time.Duration]():
		return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"integer"},
			Description: "a duration in seconds"})
	case reflect.TypeFor[json.RawMessage](), reflect.TypeFor[any]():
		return openapi3.NewSchemaRef("", &openapi3.Schema{})
	}
	if values, ok := enums[t]; ok {
		s := &openapi3.Schema{Type: &openapi3.Types{"string"}}
		for _, v := range values() {
			s.Enum = append(s.Enum, v)
		}
		return openapi3.NewSchemaRef("", s)
	}
	switch t.Kind() {
	case reflect.String:
		return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"string"}})
	case reflect.Bool:
		return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"boolean"}})
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s := &openapi3.Schema{Type: &openapi3.Types{"integer"}}
		if t.Kind() == reflect.Int64 {
			s.Format = "int64"
		}
		return openapi3.NewSchemaRef("", s)
	case reflect.Float32, reflect.Float64:
		return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"number"}})
	case reflect.Slice:
		return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"array"}, Items: g.schema(t.Elem())})
	case reflect.Map:
		return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"object"},
			AdditionalProperties: openapi3.AdditionalProperties{Schema: g.schema(t.Elem())}})
	case reflect.Struct:
		name := schemaName(t)
		if other, ok := g.types[name]; ok && other != t {
			panic(fmt.Sprintf("api: %s and %s both make the schema %s", other, t, name))
		}
		g.types[name] = t
		if _, ok := g.comps[name]; !ok {
			g.comps[name] = nil // a placeholder, against cycles
			s := &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{},
				AdditionalProperties: openapi3.AdditionalProperties{Has: ptr(false)}}
			if d, ok := reflect.Zero(t).Interface().(interface{ describe() string }); ok {
				s.Description = d.describe()
			}
			g.fields(s, t)
			g.comps[name] = openapi3.NewSchemaRef("", s)
		}
		return openapi3.NewSchemaRef("#/components/schemas/"+name, nil)
	}
	panic(fmt.Sprintf("api: no schema for %s", t))
}

// fields adds t's JSON fields to s: required unless omitempty.
func (g *generator) fields(s *openapi3.Schema, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			g.fields(s, f.Type)
			continue
		}
		if name == "" {
			name = f.Name
		}
		ref := g.schema(f.Type)
		if d := f.Tag.Get("doc"); d != "" && ref.Ref == "" {
			ref.Value.Description = d
		}
		s.Properties[name] = ref
		if !slices.Contains(strings.Split(opts, ","), "omitempty") && !slices.Contains(strings.Split(opts, ","), "omitzero") {
			s.Required = append(s.Required, name)
		}
	}
}

// schemaName names a component: the Go type's name, with a generic page named for its items
// ("Page[…api.Ticket]" is "TicketPage").
// A type of another package is named for its package too ("webhook.Ticket" is
// "WebhookTicket"), so that it cannot take the name of one of this package's.
func schemaName(t reflect.Type) string {
	name := t.Name()
	if base, arg, ok := strings.Cut(name, "["); ok {
		arg = strings.TrimSuffix(arg, "]")
		arg = arg[strings.LastIndexAny(arg, "./")+1:]
		return arg + base
	}
	if pkg := t.PkgPath(); pkg != reflect.TypeFor[generator]().PkgPath() {
		pkg = pkg[strings.LastIndex(pkg, "/")+1:]
		prefix := strings.ToUpper(pkg[:1]) + pkg[1:]
		if !strings.HasPrefix(name, prefix) {
			name = prefix + name
		}
	}
	return name
}

// versioned says whether an output carries a version, answered as its ETag.
func versioned(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Implements(reflect.TypeFor[etagger]()) || reflect.PointerTo(t).Implements(reflect.TypeFor[etagger]())
}

// etagger is an output with a version: its ETag is `"<version>"` and If-Match takes it back.
type etagger interface{ etag() int64 }

var _ = uuid.Nil
