// Package cloudblob stores the helpdesk's files in a cloud bucket: its [Store] adapts a
// bucket of the Go Cloud Development Kit (gocloud.dev/blob) to [blob.Store], so that Amazon
// S3, Google Cloud Storage, Azure Blob Storage or any other gocloud driver holds ticket media
// and attachments when one server's disk is not enough.
//
// # Opening a bucket
//
// This package imports no cloud SDK: the program that wants one imports its gocloud driver
// and opens the bucket, then hands it to [New].
//
//	import (
//		gcblob "gocloud.dev/blob"
//		_ "gocloud.dev/blob/s3blob" // or gcsblob, azureblob
//	)
//
//	bucket, err := gcblob.OpenBucket(ctx, "s3://helpdesk-media?region=eu-central-1")
//	…
//	defer bucket.Close()
//	desk, err := helpdesk.New(store, &helpdesk.Config{Blobs: cloudblob.New(bucket)})
//
// Credentials come from the driver's usual sources (environment, instance role, workload
// identity). To share a bucket with other data, confine the helpdesk to a prefix: add
// "prefix=helpdesk/" to the URL, or wrap the bucket with gcblob.PrefixedBucket.
//
// # Semantics
//
// Keys are checked with [blob.ValidKey] before the bucket is asked, and are used as object
// names unchanged. Put uploads as the driver does (in parts, for large files) and makes the
// object visible only once the upload completes: when the reader fails or ctx ends, the
// upload is aborted by cancelling the writer's context, and the earlier object, if any,
// stays. The content type is stored with the object, so a bucket served through a CDN
// answers with it. Open maps the bucket's NotFound to [blob.ErrNotFound]; Delete of a
// missing object succeeds.
//
// With fileblob, keys cannot end in ".attrs" (fileblob keeps each object's attributes in such
// a file beside it); the helpdesk's keys never do.
package cloudblob
