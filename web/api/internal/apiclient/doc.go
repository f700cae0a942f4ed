// Package apiclient is a client of the JSON API generated from the committed OpenAPI document
// (docs/openapi.json) by oapi-codegen, which the API's tests use to run the whole ticket flow
// as a third-party client would. Regenerate it after the document changes:
//
//	go generate ./web/api/internal/apiclient
//
// A test fails while it is older than the document (openapi.sha256 holds the document's
// hash it was generated from).
package apiclient

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2 -config oapi-codegen.yaml ../../../../docs/openapi.json
//go:generate sh -c "sha256sum < ../../../../docs/openapi.json | cut -d' ' -f1 > openapi.sha256"
