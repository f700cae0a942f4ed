package helpdesk_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Wrong PINs lock a code's PIN prompt before any hash is computed; the answer looks the same
// whether the PIN is wrong, missing, malformed or the prompt locked, and an inactive code
// tells nothing before its PIN.
func TestPINThrottle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		c, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{PIN: "4711"})
		require.NoError(t, err)
		open := func(pin string) error {
			_, err := f.desk.OpenCode(ctx, c.Token, pin)
			return err
		}

		t.Run("empty and malformed PINs are not counted", func(t *testing.T) {
			for range 10 {
				for _, pin := range []string{"", "12", "abcd", " 4711", "1234567890123"} {
					assert.ErrorIs(t, open(pin), helpdesk.ErrWrongPIN, "%q", pin)
				}
			}
			require.NoError(t, open("4711"), "ten rounds of typos lock nothing")
		})
		t.Run("wrong PINs lock the prompt", func(t *testing.T) {
			for i := range 5 {
				err := open(fmt.Sprintf("%04d", i))
				assert.ErrorIs(t, err, helpdesk.ErrWrongPIN)
				assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			}
			locked := open("4711")
			assert.ErrorIs(t, locked, helpdesk.ErrWrongPIN, "the right PIN while locked")
			wrong := open("0000")
			assert.Equal(t, wrong.Error(), locked.Error(), "locked reads exactly as wrong")
			f.clock.Advance(15*time.Minute + time.Second)
			require.NoError(t, open("4711"), "the lock lifts when the window ends")
			require.ErrorIs(t, open("0001"), helpdesk.ErrWrongPIN)
			require.NoError(t, open("4711"), "a right PIN clears the count")
		})
		t.Run("concurrent guesses are all counted", func(t *testing.T) {
			var wg sync.WaitGroup
			for i := range 40 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_ = open(fmt.Sprintf("9%03d", i))
				}()
			}
			wg.Wait()
			assert.ErrorIs(t, open("4711"), helpdesk.ErrWrongPIN, "locked after 40 guesses at once")
			f.clock.Advance(15*time.Minute + time.Second)
			require.NoError(t, open("4711"))
		})
		t.Run("an inactive code says nothing before its PIN", func(t *testing.T) {
			_, err := f.desk.SetCodeActive(ctx, f.admin, c.ID, false)
			require.NoError(t, err)
			assert.ErrorIs(t, open("1234"), helpdesk.ErrWrongPIN)
			assert.NotErrorIs(t, open("1234"), helpdesk.ErrCodeUnusable)
			assert.ErrorIs(t, open("4711"), helpdesk.ErrCodeUnusable, "only the right PIN learns the code is off")
		})
		t.Run("another code's count is its own", func(t *testing.T) {
			other, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{PIN: "4711"})
			require.NoError(t, err)
			_, err = f.desk.OpenCode(ctx, other.Token, "4711")
			assert.NoError(t, err)
		})
	})
}

// Concurrent sign-ins cannot get around the throttle: every attempt is counted before its
// password is checked.
func TestSignInThrottleConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		u := withPassword(t, f.desk, f, "Tess")
		var (
			wg        sync.WaitGroup
			mu        sync.Mutex
			throttled int
		)
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.desk.SignIn(ctx, f.tenant.ID, u.Email, fmt.Sprintf("Guess%dhorse", i))
				var te *helpdesk.ThrottledError
				if assert.Error(t, err) && errors.As(err, &te) {
					mu.Lock()
					throttled++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, 35, throttled, "exactly MaxLoginFailures of 40 guesses reach the password check")
		_, err := f.desk.SignIn(ctx, f.tenant.ID, u.Email, peoplePassword)
		var te *helpdesk.ThrottledError
		assert.ErrorAs(t, err, &te, "the right password while throttled")
	})
}

// When every hashing slot is taken, work that needs a hash fails at once with ErrBusy, while
// what can be refused without one (an unknown tenant, an unknown link, a malformed PIN) is
// refused as usual.
func TestHashSlots(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		u := withPassword(t, f.desk, f, "Hana")
		in, err := f.desk.SignIn(ctx, f.tenant.ID, u.Email, peoplePassword)
		require.NoError(t, err)
		code, err := f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{PIN: "4711"})
		require.NoError(t, err)
		_, invite, err := f.desk.CreateUser(ctx, f.admin, helpdesk.NewUser{Email: "ivy@acme.example", Name: "Ivy", Role: tenant.RoleAgent})
		require.NoError(t, err)

		release := helpdesk.FillHashSlots(f.desk)
		busy := map[string]error{}
		_, busy["SignIn"] = f.desk.SignIn(ctx, f.tenant.ID, u.Email, peoplePassword)
		_, busy["OpenCode"] = f.desk.OpenCode(ctx, code.Token, "4711")
		_, busy["AcceptInvitation"] = f.desk.AcceptInvitation(ctx, invite.Token, peoplePassword)
		_, busy["ChangePassword"] = f.desk.ChangePassword(ctx, in.Actor, peoplePassword, "Changed1horse")
		_, busy["CreateCode"] = f.desk.CreateCode(ctx, f.admin, f.devX.ID, helpdesk.NewCode{PIN: "1234"})
		_, _, busy["CreateUser"] = f.desk.CreateUser(ctx, f.admin, helpdesk.NewUser{Email: "pat@acme.example", Name: "Pat",
			Role: tenant.RoleAgent, Password: peoplePassword})
		for name, err := range busy {
			assert.ErrorIs(t, err, helpdesk.ErrBusy, name)
			assert.Equal(t, helpdesk.KindUnavailable, helpdesk.KindOf(err), name)
		}
		_, err = f.desk.SignIn(ctx, uuid.New(), u.Email, peoplePassword)
		assert.ErrorIs(t, err, helpdesk.ErrBadCredentials, "an unknown tenant costs no hash")
		_, err = f.desk.AcceptInvitation(ctx, device.NewToken(), peoplePassword)
		assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, "an unknown link costs no hash")
		_, err = f.desk.ResetPassword(ctx, device.NewToken(), peoplePassword)
		assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, "an unknown link costs no hash")
		_, err = f.desk.OpenCode(ctx, code.Token, "")
		assert.ErrorIs(t, err, helpdesk.ErrWrongPIN, "no PIN costs no hash")
		release()

		_, err = f.desk.SignIn(ctx, f.tenant.ID, u.Email, peoplePassword)
		assert.NoError(t, err, "a busy answer counted no failure")
		_, err = f.desk.AcceptInvitation(ctx, invite.Token, peoplePassword)
		assert.NoError(t, err, "the invitation is still usable")
	})
}

// Password-reset requests mail at most MaxResetRequests links per address and window, and
// answer an unknown address exactly as a known one.
func TestPasswordResetThrottle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		u := withPassword(t, f.desk, f, "Rob")
		for i := range 3 {
			link, err := f.desk.RequestPasswordReset(ctx, f.tenant.ID, u.Email)
			require.NoError(t, err)
			require.NotNil(t, link, "request %d", i+1)
		}
		link, err := f.desk.RequestPasswordReset(ctx, f.tenant.ID, u.Email)
		require.NoError(t, err)
		assert.Nil(t, link, "the fourth within the hour sends nothing, and answers as for an unknown address")
		f.clock.Advance(time.Hour + time.Second)
		link, err = f.desk.RequestPasswordReset(ctx, f.tenant.ID, u.Email)
		require.NoError(t, err)
		assert.NotNil(t, link, "a new window")
		link, err = f.desk.RequestPasswordReset(ctx, uuid.New(), u.Email)
		require.NoError(t, err)
		assert.Nil(t, link, "an unknown tenant")
	})
}
