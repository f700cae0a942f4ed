package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// atomic runs fn so that its writes commit together: in the caller's transaction when q runs
// in one, else in a transaction of its own.
func (q *queries) atomic(ctx context.Context, fn func(q *queries) error) error {
	db, ok := q.db.(*bun.DB)
	if !ok {
		return fn(q)
	}
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return fn(&queries{db: tx, pg: q.pg})
	})
	return mapErr(err)
}

// affected returns how many rows an executed write changed.
func affected(res sql.Result, err error) (int, error) {
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Users.

func (q *queries) CreateUser(ctx context.Context, u *tenant.User) error {
	return q.insert(ctx, fromUser(u))
}

func (q *queries) GetUser(ctx context.Context, tenantID, id uuid.UUID) (*tenant.User, error) {
	return getRow[userRow, *tenant.User](ctx, q, scoped, tenantID, id)
}

func (q *queries) GetUserByEmail(ctx context.Context, tenantID uuid.UUID, email string) (*tenant.User, error) {
	if !storable(email) {
		return nil, storage.ErrNotFound
	}
	return getRow[userRow, *tenant.User](ctx, q, "tenant_id = ? AND email = ?", tenantID, email)
}

func (q *queries) UpdateUser(ctx context.Context, u *tenant.User) error {
	r := fromUser(u)
	return q.updateVersioned(ctx, r, &r.Version, "users", u.TenantID, u.ID, &u.Version)
}

func (q *queries) ListUsers(ctx context.Context, tenantID uuid.UUID, f storage.UserFilter, p storage.PageRequest) (storage.Page[*tenant.User], error) {
	return page[userRow, *tenant.User](ctx, q, tenantID, p, func(s *bun.SelectQuery) *bun.SelectQuery {
		if f.CustomerID != uuid.Nil {
			s = s.Where("customer_id = ?", f.CustomerID)
		}
		if f.Employees {
			s = s.Where("customer_id IS NULL")
		}
		if f.Role != "" {
			s = s.Where("role = ?", string(f.Role))
		}
		if f.Status != "" {
			s = s.Where("status = ?", string(f.Status))
		}
		if f.Text != "" {
			s = textMatch(s, f.Text)
		}
		return s
	}, func(u *tenant.User) uuid.UUID { return u.ID })
}

// Teams and meta-teams.

func (q *queries) CreateTeam(ctx context.Context, t *tenant.Team) error {
	return q.atomic(ctx, func(q *queries) error {
		if err := q.insert(ctx, fromTeam(t)); err != nil {
			return err
		}
		return q.insertMembers(ctx, t)
	})
}

func (q *queries) insertMembers(ctx context.Context, t *tenant.Team) error {
	if len(t.Members) == 0 {
		return nil
	}
	members := fromMembers(t)
	return q.insert(ctx, &members)
}

func (q *queries) GetTeam(ctx context.Context, tenantID, id uuid.UUID) (*tenant.Team, error) {
	t, err := getRow[teamRow, *tenant.Team](ctx, q, scoped, tenantID, id)
	if err != nil {
		return nil, err
	}
	if err := q.withMembers(ctx, tenantID, []*tenant.Team{t}, id); err != nil {
		return nil, err
	}
	return t, nil
}

// withMembers fills in the Members of teams, in order: those of the one team named, or with
// uuid.Nil those of every team of the tenant.
func (q *queries) withMembers(ctx context.Context, tenantID uuid.UUID, teams []*tenant.Team, one uuid.UUID) error {
	members, err := listRows[teamMemberRow, *teamMemberRow](ctx, q, func(s *bun.SelectQuery) *bun.SelectQuery {
		s = s.Where("tenant_id = ?", tenantID)
		if one != uuid.Nil {
			s = s.Where("team_id = ?", one)
		}
		return s.OrderExpr("team_id ASC, position ASC")
	})
	if err != nil {
		return err
	}
	byID := make(map[uuid.UUID]*tenant.Team, len(teams))
	for _, t := range teams {
		byID[t.ID] = t
	}
	for _, m := range members {
		if t := byID[m.TeamID]; t != nil {
			t.Members = append(t.Members, m.UserID)
		}
	}
	return nil
}

func (q *queries) UpdateTeam(ctx context.Context, t *tenant.Team) error {
	r := fromTeam(t)
	version := t.Version
	err := q.atomic(ctx, func(q *queries) error {
		// The versioned update comes first: it proves the team is the tenant's and current
		// before its members are touched.
		if err := q.updateVersioned(ctx, r, &r.Version, "teams", t.TenantID, t.ID, &version); err != nil {
			return err
		}
		if _, err := q.db.NewDelete().Table("team_members").Where("tenant_id = ? AND team_id = ?", t.TenantID, t.ID).Exec(ctx); err != nil {
			return mapErr(err)
		}
		return q.insertMembers(ctx, t)
	})
	if err != nil {
		return err
	}
	// Only now, so that a rolled back attempt leaves the caller's Version as it was.
	t.Version = version
	return nil
}

func (q *queries) ListTeams(ctx context.Context, tenantID uuid.UUID) ([]*tenant.Team, error) {
	teams, err := listRows[teamRow, *tenant.Team](ctx, q, byName(tenantID))
	if err != nil || len(teams) == 0 {
		return teams, err
	}
	if err := q.withMembers(ctx, tenantID, teams, uuid.Nil); err != nil {
		return nil, err
	}
	return teams, nil
}

func (q *queries) CreateMetaTeam(ctx context.Context, m *tenant.MetaTeam) error {
	return q.insert(ctx, fromMetaTeam(m))
}

func (q *queries) GetMetaTeam(ctx context.Context, tenantID, id uuid.UUID) (*tenant.MetaTeam, error) {
	return getRow[metaTeamRow, *tenant.MetaTeam](ctx, q, scoped, tenantID, id)
}

func (q *queries) ListMetaTeams(ctx context.Context, tenantID uuid.UUID) ([]*tenant.MetaTeam, error) {
	return listRows[metaTeamRow, *tenant.MetaTeam](ctx, q, byName(tenantID))
}

func (q *queries) UpdateMetaTeam(ctx context.Context, m *tenant.MetaTeam) error {
	r := fromMetaTeam(m)
	return q.updateVersioned(ctx, r, &r.Version, "meta_teams", m.TenantID, m.ID, &m.Version)
}

func (q *queries) DeleteMetaTeam(ctx context.Context, tenantID, id uuid.UUID) error {
	return q.atomic(ctx, func(q *queries) error {
		n, err := affected(q.db.NewDelete().Table("meta_teams").Where(scoped, tenantID, id).Exec(ctx))
		if err != nil {
			return err
		}
		if n == 0 {
			return storage.ErrNotFound
		}
		_, err = q.db.NewUpdate().Table("teams").Set("meta_team_id = NULL").Set("version = version + 1").
			Where("tenant_id = ? AND meta_team_id = ?", tenantID, id).Exec(ctx)
		return mapErr(err)
	})
}

// User tokens.

func (q *queries) CreateUserToken(ctx context.Context, t *tenant.UserToken) error {
	return q.insert(ctx, fromUserToken(t))
}

func (q *queries) GetUserToken(ctx context.Context, hash string) (*tenant.UserToken, error) {
	if hash == "" {
		return nil, storage.ErrNotFound
	}
	return getRow[userTokenRow, *tenant.UserToken](ctx, q, "hash = ?", hash)
}

func (q *queries) UseUserToken(ctx context.Context, tenantID, id uuid.UUID, at time.Time) error {
	// The IS NULL condition makes the update its own check: of concurrent calls only the first
	// to lock the row still finds it unused.
	n, err := affected(q.db.NewUpdate().Table("user_tokens").Set("used_at = ?", at).
		Where(scoped, tenantID, id).Where("used_at IS NULL").Exec(ctx))
	if err != nil || n == 1 {
		return err
	}
	exists, err := q.db.NewSelect().Table("user_tokens").Where(scoped, tenantID, id).Exists(ctx)
	if err != nil {
		return mapErr(err)
	}
	if exists {
		return fmt.Errorf("%w: user token %s already used", storage.ErrConflict, id)
	}
	return storage.ErrNotFound
}

func (q *queries) DeleteUserTokens(ctx context.Context, tenantID, userID uuid.UUID, purpose tenant.TokenPurpose) (int, error) {
	return affected(q.db.NewDelete().Table("user_tokens").
		Where("tenant_id = ? AND user_id = ? AND purpose = ? AND used_at IS NULL", tenantID, userID, string(purpose)).Exec(ctx))
}

// Sign-in sessions.

func (q *queries) CreateAuthSession(ctx context.Context, s *tenant.AuthSession) error {
	return q.insert(ctx, fromAuthSession(s))
}

func (q *queries) GetAuthSession(ctx context.Context, tokenHash string) (*tenant.AuthSession, error) {
	if tokenHash == "" {
		return nil, storage.ErrNotFound
	}
	return getRow[authSessionRow, *tenant.AuthSession](ctx, q, "token_hash = ?", tokenHash)
}

func (q *queries) DeleteAuthSession(ctx context.Context, tenantID, id uuid.UUID) error {
	n, err := affected(q.db.NewDelete().Table("auth_sessions").Where(scoped, tenantID, id).Exec(ctx))
	if err == nil && n == 0 {
		err = storage.ErrNotFound
	}
	return err
}

func (q *queries) DeleteUserAuthSessions(ctx context.Context, tenantID, userID uuid.UUID) (int, error) {
	return affected(q.db.NewDelete().Table("auth_sessions").Where("tenant_id = ? AND user_id = ?", tenantID, userID).Exec(ctx))
}

// Login failures.

// recordLoginFailure counts a failure in one statement, so that concurrent calls never lose a
// count on either engine: the first failure inserts the row, later ones update it under the
// row's lock, restarting the window when it has expired.
const recordLoginFailure = `INSERT INTO login_failures (tenant_id, key, count, since) VALUES (?, ?, 1, ?)
ON CONFLICT (tenant_id, key) DO UPDATE SET
	count = CASE WHEN login_failures.since <= ? THEN 1 ELSE login_failures.count + 1 END,
	since = CASE WHEN login_failures.since <= ? THEN excluded.since ELSE login_failures.since END
RETURNING count, since`

func (q *queries) RecordLoginFailure(ctx context.Context, tenantID uuid.UUID, key string, at time.Time, window time.Duration) (int, time.Time, error) {
	expired := at.Add(-window)
	var (
		count int
		since time.Time
	)
	// bun's scanner reads since whether the driver hands over a time.Time (PostgreSQL) or the
	// text SQLite stores.
	err := q.db.NewRaw(recordLoginFailure, tenantID, key, at, expired, expired).Scan(ctx, &count, &since)
	if err != nil {
		return 0, time.Time{}, mapErr(err)
	}
	return count, since.UTC(), nil
}

func (q *queries) LoginFailures(ctx context.Context, tenantID uuid.UUID, key string) (int, time.Time, error) {
	var (
		count int
		since time.Time
	)
	err := q.db.NewSelect().Table("login_failures").ColumnExpr("count, since").
		Where("tenant_id = ? AND key = ?", tenantID, key).Scan(ctx, &count, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, mapErr(err)
	}
	return count, since.UTC(), nil
}

func (q *queries) ClearLoginFailures(ctx context.Context, tenantID uuid.UUID, key string) error {
	_, err := q.db.NewDelete().Table("login_failures").Where("tenant_id = ? AND key = ?", tenantID, key).Exec(ctx)
	return mapErr(err)
}
