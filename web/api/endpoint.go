package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
)

// An operation is one route of the API: what the document says of it and how it is served.
// Both come from the same declaration (op), so the document cannot drift from the code.
type operation struct {
	method, path string // path below /api/v1, with {name} parameters
	id           string // the document's operationId
	tag          string
	summary      string
	status       int // the success status: 200, 201 or 204
	// public operations take no credentials: the token in their path is the credential,
	// which resolve turns into the actor before anything else runs (Idempotency-Key
	// included, whose records belong to that actor).
	public  bool
	resolve func(c *call) (tenant.Actor, error)
	// idempotent says a retried request with an Idempotency-Key replays the first answer;
	// every POST is.
	in, out reflect.Type
	// raw says the body is a file's bytes (not JSON), of the content types listed.
	raw []string
	// produces replaces application/json as the success answer's content types.
	produces []string
	// large says the JSON body may carry files: it is capped at MaxUpload, not MaxBody.
	large bool
	// secret says the answer carries a secret shown once: no cache may keep it.
	secret bool
	serve  func(c *call) (any, error)
}

// call is one request as an operation sees it.
type call struct {
	ctx   context.Context
	w     http.ResponseWriter
	r     *http.Request
	actor tenant.Actor
	h     *Handler
	op    *operation
	// status overrides the operation's success status (a create that replays, say).
	status int
}

// noContent is the output of operations that answer 204 with no body.
type noContent struct{}

// op declares an operation whose input, decoded from the request by In's field tags, goes to
// fn, and whose output is Out as JSON. In's fields:
//
//	`path:"id"`            a path parameter
//	`query:"state"`        a query parameter (a slice takes it repeated or comma-separated)
//	`header:"If-Match"`    a request header
//	Body                   the JSON body (unknown fields refused), or for raw operations a
//	                       RawBody (the bytes, with their content type)
//
// Embedded structs contribute their fields. doc:"…" tags document each one.
func op[In, Out any](method, path, id, tag, summary string, fn func(c *call, in *In) (Out, error)) operation {
	status := http.StatusOK
	if method == http.MethodPost {
		status = http.StatusCreated
	}
	if reflect.TypeFor[Out]() == reflect.TypeFor[noContent]() {
		status = http.StatusNoContent
	}
	return operation{method: method, path: path, id: id, tag: tag, summary: summary, status: status,
		in: reflect.TypeFor[In](), out: reflect.TypeFor[Out](),
		serve: func(c *call) (any, error) {
			var in In
			if err := c.decode(reflect.ValueOf(&in).Elem()); err != nil {
				return nil, err
			}
			return fn(c, &in)
		}}
}

// ok sets an operation's success status: an action (POST that changes a record rather than
// create one) answers 200.
func (o operation) ok(status int) operation { o.status = status; return o }

// open marks an operation public: no credentials; resolve finds its actor from the request
// (a code's or a link's token in its path), and its errors are answered as they are.
func (o operation) open(resolve func(c *call) (tenant.Actor, error)) operation {
	o.public, o.resolve = true, resolve
	return o
}

// file marks an operation whose body is a file of the given content types.
func (o operation) file(types ...string) operation { o.raw = types; return o }

// big lets an operation's JSON body carry files (base64): up to MaxUpload·4/3 bytes.
func (o operation) big() operation { o.large = true; return o }

// once marks an answer that carries a secret shown this once (a token, a signing secret):
// it is sent with Cache-Control: no-store.
func (o operation) once() operation { o.secret = true; return o }

// answers sets the content types of the success answer (an image, say).
func (o operation) answers(types ...string) operation { o.produces = types; return o }

// RawBody is a request body taken as it comes, for uploads.
type RawBody struct {
	// ContentType is the request's Content-Type.
	ContentType string
	// Data is the body, at most the handler's MaxUpload bytes.
	Data []byte
}

// Binary is an output written as it is: an image, a file.
type Binary struct {
	ContentType string
	Name        string
	Data        io.Reader
}

var (
	uuidType = reflect.TypeFor[uuid.UUID]()
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[RawBody]()
)

// decode fills v (a struct) from the request.
func (c *call) decode(v reflect.Value) error {
	t := v.Type()
	for i := range t.NumField() {
		f, fv := t.Field(i), v.Field(i)
		switch {
		case f.Anonymous && f.Type.Kind() == reflect.Struct:
			if err := c.decode(fv); err != nil {
				return err
			}
		case f.Tag.Get("path") != "":
			name := f.Tag.Get("path")
			if err := setParam(fv, name, []string{c.r.PathValue(name)}); err != nil {
				// A malformed ID in a path names no record: not found, as a foreign one.
				return &apiError{status: http.StatusNotFound, kind: "not_found", detail: "no such " + name}
			}
		case f.Tag.Get("query") != "":
			name := f.Tag.Get("query")
			vals := c.r.URL.Query()[name]
			if len(vals) == 0 {
				continue
			}
			if err := setParam(fv, name, vals); err != nil {
				return err
			}
		case f.Tag.Get("header") != "":
			fv.SetString(c.r.Header.Get(f.Tag.Get("header")))
		case f.Name == "Body" && f.Type == rawType:
			raw, err := c.rawBody()
			if err != nil {
				return err
			}
			fv.Set(reflect.ValueOf(raw))
		case f.Name == "Body":
			if err := c.jsonBody(fv.Addr().Interface()); err != nil {
				return err
			}
		}
	}
	return nil
}

// setParam parses vals into fv, by fv's type.
func setParam(fv reflect.Value, name string, vals []string) error {
	if fv.Kind() == reflect.Slice {
		var parts []string
		for _, v := range vals {
			for p := range strings.SplitSeq(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					parts = append(parts, p)
				}
			}
		}
		s := reflect.MakeSlice(fv.Type(), len(parts), len(parts))
		for i, p := range parts {
			if err := setOne(s.Index(i), name, p); err != nil {
				return err
			}
		}
		fv.Set(s)
		return nil
	}
	if len(vals) > 1 {
		return badInput(name, "given more than once")
	}
	return setOne(fv, name, vals[0])
}

func setOne(fv reflect.Value, name, s string) error {
	switch {
	case fv.Kind() == reflect.Pointer:
		// An optional parameter (*bool, say): absent leaves it nil, so "not given" differs
		// from the zero value.
		v := reflect.New(fv.Type().Elem())
		if err := setOne(v.Elem(), name, s); err != nil {
			return err
		}
		fv.Set(v)
	case fv.Type() == uuidType:
		id, err := uuid.Parse(s)
		if err != nil {
			return badInput(name, "not a UUID")
		}
		fv.Set(reflect.ValueOf(id))
	case fv.Type() == timeType:
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return badInput(name, "not an RFC 3339 date and time")
		}
		fv.Set(reflect.ValueOf(at))
	case fv.Kind() == reflect.String:
		fv.SetString(s)
	case fv.Kind() == reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return badInput(name, "not a whole number")
		}
		fv.SetInt(int64(n))
	case fv.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return badInput(name, "not true or false")
		}
		fv.SetBool(b)
	default:
		return fmt.Errorf("api: parameter %s of unsupported type %s", name, fv.Type())
	}
	return nil
}

// jsonBody decodes the request's JSON body into dst: at most MaxBody bytes, one value, no
// field the API does not know (a misspelt field would otherwise be silently ignored).
func (c *call) jsonBody(dst any) error {
	if ct := c.r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return &apiError{status: http.StatusUnsupportedMediaType, kind: kindUnsupported,
				detail: "the body must be application/json"}
		}
	}
	limit := c.h.cfg.MaxBody
	if c.op.large {
		limit = max(limit, c.h.cfg.MaxUpload/3*4+limit)
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.w, c.r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonProblem(err)
	}
	if dec.More() {
		return badInput("body", "holds more than one JSON value")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badInput("body", "holds more than one JSON value")
	}
	return nil
}

// jsonProblem words a JSON decoding error for the client.
func jsonProblem(err error) error {
	var (
		typeErr *json.UnmarshalTypeError
		syntax  *json.SyntaxError
		tooBig  *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooBig):
		return &apiError{status: http.StatusRequestEntityTooLarge, kind: "invalid",
			detail: fmt.Sprintf("the body is larger than %d bytes", tooBig.Limit)}
	case errors.As(err, &typeErr):
		return badInput(typeErr.Field, "must be "+jsonKind(typeErr.Type))
	case errors.As(err, &syntax):
		return badInput("body", fmt.Sprintf("not valid JSON (at byte %d)", syntax.Offset))
	case errors.Is(err, io.EOF):
		return badInput("body", "is empty")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badInput(field, "is not a field of this request")
	}
	return badInput("body", err.Error())
}

// jsonKind names a Go type as JSON would.
func jsonKind(t reflect.Type) string {
	switch {
	case t == uuidType:
		return "a UUID"
	case t == timeType:
		return "an RFC 3339 date and time"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a " + t.Kind().String()
}

// rawBody reads an upload: at most MaxUpload bytes, of a content type the operation takes.
func (c *call) rawBody() (RawBody, error) {
	ct := c.r.Header.Get("Content-Type")
	data, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, c.h.cfg.MaxUpload))
	if err != nil {
		return RawBody{}, jsonProblem(err)
	}
	return RawBody{ContentType: ct, Data: data}, nil
}

// write answers out with the operation's status.
func (c *call) write(o *operation, out any) {
	status := o.status
	if c.status != 0 {
		status = c.status
	}
	if b, ok := out.(*Binary); ok {
		c.w.Header().Set("Content-Type", b.ContentType)
		if b.Name != "" {
			c.w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(b.Name, `"`, "")+`"`)
		}
		c.w.WriteHeader(status)
		if rc, ok := b.Data.(io.Closer); ok {
			defer rc.Close()
		}
		_, _ = io.Copy(c.w, b.Data)
		return
	}
	if o.secret {
		c.w.Header().Set("Cache-Control", "no-store")
	}
	if e, ok := out.(etagger); ok {
		c.w.Header().Set("ETag", etagOf(e.etag()))
	}
	if status == http.StatusNoContent {
		c.w.WriteHeader(status)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		c.h.cfg.Logger.Error("api: encode answer", "op", o.id, "err", err)
		writeProblem(c.w, err)
		return
	}
	c.w.Header().Set("Content-Type", "application/json")
	c.w.WriteHeader(status)
	_, _ = c.w.Write(buf.Bytes())
}
