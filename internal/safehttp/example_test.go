package safehttp_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/deskkit/helpdesk/internal/safehttp"
)

// A client for addresses that people chose refuses one inside the server's network.
func ExampleNewClient() {
	inside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer inside.Close()
	_, err := safehttp.NewClient(safehttp.Options{}).Get(inside.URL)
	fmt.Println(errors.Is(err, safehttp.ErrNotPublic))
	fmt.Println(safehttp.PublicHost("localhost:8080"), safehttp.PublicHost("fcm.googleapis.com"))
	// Output:
	// true
	// false true
}
