// Package blobtest is the conformance suite for implementations of [blob.Store]. Every Store
// shipped with the helpdesk runs it, and so should yours: the helpdesk relies on exactly the
// behaviour it checks.
//
// # What it checks
//
// [RunStore] checks the contract written on [blob.Store]: contents of any size read back
// byte for byte; a Put replaces; missing keys give [blob.ErrNotFound] on Open and nil on
// Delete; keys [blob.ValidKey] refuses give [blob.ErrInvalidKey] on every method; nested keys
// stay apart. Above all it checks that Put is all or nothing: while it reads, and after its
// reader fails or its ctx is cancelled, the key holds its earlier content or nothing, never
// a part of the new one. Finally, eight Puts run at once, each holding its reader open until
// all have started, so a Store that holds a lock while reading fails, as does one that mixes
// up their contents.
//
// # Running it
//
// A Store's test passes a [Harness] whose New returns an empty Store; every check calls it
// once, so checks do not see each other's keys:
//
//	func TestConformance(t *testing.T) {
//		blobtest.RunStore(t, blobtest.Harness{
//			New: func(t *testing.T) blob.Store {
//				d, err := blob.NewDir(t.TempDir())
//				require.NoError(t, err)
//				return d
//			},
//		})
//	}
//
// A Store on a shared remote bucket can return a view of one fresh prefix per call instead
// of a fresh bucket.
//
// # Timing
//
// The suite never sleeps. Where it waits for something a correct Store does at once (the
// other Puts reaching their readers, an Open during a Put returning), it gives up after ten
// seconds and fails the check.
package blobtest
