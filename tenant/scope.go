package tenant

import (
	"errors"
	"fmt"
)

// Scopes is a set of API token scopes. A token's scopes narrow what its user may do; they never
// widen it: Authorize asks the role's rule first and the scope second. The zero value means
// "not restricted" and is what sign-in sessions, the system and public links carry.
type Scopes uint8

// The scopes. Each implies the ones below it: admin allows what write allows, write what read
// allows.
const (
	// ScopeRead allows reading: the *.read and *.list actions, statistics, the audit log.
	ScopeRead Scopes = 1 << iota
	// ScopeWrite allows the day's work: tickets, messages, lifecycle events, sessions, media,
	// one's own profile and notifications.
	ScopeWrite
	// ScopeAdmin allows setting up and managing the tenant: settings, templates, devices,
	// codes, people, teams, the outbox, deleting tickets, and one's own API tokens.
	ScopeAdmin
)

// ErrUnknownScope is returned (wrapped) by ParseScope for a name that is not a scope.
var ErrUnknownScope = errors.New("unknown scope")

var scopeNames = []struct {
	s    Scopes
	name string
}{{ScopeRead, "read"}, {ScopeWrite, "write"}, {ScopeAdmin, "admin"}}

// ParseScope returns the scope named "read", "write" or "admin". Any other name returns an
// error wrapping ErrUnknownScope.
func ParseScope(name string) (Scopes, error) {
	for _, n := range scopeNames {
		if n.name == name {
			return n.s, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownScope, name)
}

// Strings returns the names of the scopes in s, in the order read, write, admin; nil for none.
func (s Scopes) Strings() []string {
	var out []string
	for _, n := range scopeNames {
		if s&n.s != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// Valid reports whether s is a non-empty set of known scopes.
func (s Scopes) Valid() bool { return s != 0 && s&^(ScopeRead|ScopeWrite|ScopeAdmin) == 0 }

// implied returns s with every scope its members imply.
func (s Scopes) implied() Scopes {
	if s&ScopeAdmin != 0 {
		s |= ScopeWrite
	}
	if s&ScopeWrite != 0 {
		s |= ScopeRead
	}
	return s
}

// Allows reports whether s grants need: every scope of need is in s or implied by one of s
// (admin implies write, write implies read). It says nothing about the zero value's meaning
// ("not restricted"); Authorize handles that.
func (s Scopes) Allows(need Scopes) bool { return s.implied()&need == need }

// Within reports whether every scope s grants, other also grants: a token created through a
// token actor must stay within that actor's scopes.
func (s Scopes) Within(other Scopes) bool { return other.Allows(s.implied()) }

// scopes is the scope each action needs of a token actor: the second column of the policy,
// beside rules. Reading needs read (the audit log too: a read-only token lets a log collector
// pull it without the power to change anything, and rules already confine it to managers);
// the day's work needs write; setting the tenant up, managing people and credentials (one's
// own API tokens, share-login links, which sign a browser in without scopes) needs admin.
// Every action of rules has an entry here (a test fails otherwise); an action without one is
// refused to every token actor.
var scopes = map[Action]Scopes{
	ActTenantCreate:   ScopeAdmin,
	ActTenantRead:     ScopeRead,
	ActTenantSettings: ScopeAdmin,

	ActCustomerCreate: ScopeAdmin,
	ActCustomerRead:   ScopeRead,
	ActCustomerList:   ScopeRead,
	ActCustomerUpdate: ScopeAdmin,
	ActOrgManage:      ScopeAdmin,
	ActOrgRead:        ScopeRead,

	ActTemplateManage: ScopeAdmin,
	ActTemplateRead:   ScopeRead,
	ActDeviceManage:   ScopeAdmin,
	ActDeviceRead:     ScopeRead,
	ActDeviceList:     ScopeRead,
	ActCodeManage:     ScopeAdmin,
	ActCodeList:       ScopeRead,

	ActTicketCreate:  ScopeWrite,
	ActTicketRead:    ScopeRead,
	ActTicketList:    ScopeRead,
	ActTicketEdit:    ScopeWrite,
	ActTicketStatus:  ScopeWrite,
	ActTicketDelete:  ScopeAdmin,
	ActTicketLink:    ScopeWrite,
	ActRequestLink:   ScopeWrite,
	ActMessagePost:   ScopeWrite,
	ActMessageIntern: ScopeWrite,
	ActStatusManage:  ScopeAdmin,
	ActStatusList:    ScopeRead,
	ActCannedManage:  ScopeAdmin,
	ActCannedUse:     ScopeRead,
	ActAuditRead:     ScopeRead,

	ActEmployeeManage: ScopeAdmin,
	ActCustUserManage: ScopeAdmin,
	ActUserRead:       ScopeRead,
	ActUserList:       ScopeRead,
	ActProfileUpdate:  ScopeWrite,
	ActTeamManage:     ScopeAdmin,
	ActTeamRead:       ScopeRead,
	ActShareLogin:     ScopeAdmin,
	ActAPITokens:      ScopeAdmin,
	ActWebhooks:       ScopeAdmin,

	ActNotifyTemplates:  ScopeAdmin,
	ActAccountTemplates: ScopeAdmin,
	ActOutbox:           ScopeAdmin,
	ActInbox:            ScopeWrite,
	ActPush:             ScopeWrite,
	ActSMTP:             ScopeAdmin,

	ActSessionJoin: ScopeWrite,
	ActMediaUpload: ScopeWrite,
	ActStatsRead:   ScopeRead,

	// Lifecycle events change state: write, whoever fires them.
	TicketEvent("submit"):   ScopeWrite,
	TicketEvent("accept"):   ScopeWrite,
	TicketEvent("assign"):   ScopeWrite,
	TicketEvent("reject"):   ScopeWrite,
	TicketEvent("start"):    ScopeWrite,
	TicketEvent("wait"):     ScopeWrite,
	TicketEvent("complete"): ScopeWrite,
	TicketEvent("resume"):   ScopeWrite,
	TicketEvent("rate"):     ScopeWrite,
	TicketEvent("close"):    ScopeWrite,
	TicketEvent("cancel"):   ScopeWrite,
	TicketEvent("reopen"):   ScopeWrite,
	TicketEvent("expire"):   ScopeWrite,
	SessionEvent("request"): ScopeWrite,
	SessionEvent("invite"):  ScopeWrite,
	SessionEvent("propose"): ScopeWrite,
	SessionEvent("confirm"): ScopeWrite,
	SessionEvent("accept"):  ScopeWrite,
	SessionEvent("refuse"):  ScopeWrite,
	SessionEvent("start"):   ScopeWrite,
	SessionEvent("end"):     ScopeWrite,
	SessionEvent("rate"):    ScopeWrite,
	SessionEvent("close"):   ScopeWrite,
	SessionEvent("expire"):  ScopeWrite,
	SessionEvent("cancel"):  ScopeWrite,
	SessionEvent("reopen"):  ScopeWrite,
}

// ScopeOf returns the scope a token actor needs for act, and false for an action the table
// does not know (which Authorize refuses to token actors).
func ScopeOf(act Action) (Scopes, bool) {
	s, ok := scopes[act]
	return s, ok
}

// personal are the actions on one's own account that every signed-in person may perform and
// whose scope is admin; OfferedScopes leaves them out when it asks whether admin means anything.
var personal = map[Action]bool{ActShareLogin: true, ActAPITokens: true}

// OfferedScopes returns the scopes worth offering a user of role r for a new API token: read
// and write always, admin only when the role may perform some admin-scoped action beyond its
// own account (a customer user's admin token could do nothing more than a write token).
func OfferedScopes(r Role) Scopes {
	out := ScopeRead | ScopeWrite
	p := Actor{Role: r}.party()
	for act, ru := range rules {
		if scopes[act] == ScopeAdmin && !personal[act] && ru.who&p != 0 {
			return out | ScopeAdmin
		}
	}
	return out
}
