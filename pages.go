package helpdesk

import "github.com/deskkit/helpdesk/storage"

// everyPage reads a paged listing to its end, storage.MaxPageSize rows a page, for the work
// that needs all of a ticket's rows at once (the files to delete with it, the sessions to close
// with it).
func everyPage[T any](list func(storage.PageRequest) (storage.Page[T], error)) ([]T, error) {
	var out []T
	p := storage.PageRequest{Limit: storage.MaxPageSize}
	for {
		page, err := list(p)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			return out, nil
		}
		p.After = page.Next
	}
}
