package bunstore

// Row reads are scanned by hand into the row types' fields (see scan.go). Each row type lists
// its table, its columns and, in the same order, pointers to its fields; TestRowColumns checks
// both lists against the bun tags, and the conformance suite's round trips check the mapping.
// Row types written by insertWhere list their values in that order too.

func (*tenantRow) table() string { return "tenants" }

func (*tenantRow) columns() string {
	return "id, name, language, ticket_prefix, default_team_id, settings, created_at, updated_at, version"
}

func (r *tenantRow) targets() []any {
	return []any{&r.ID, &r.Name, &r.Language, &r.TicketPrefix, &r.DefaultTeamID, jsonColumn{&r.Settings}, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func (*customerRow) table() string { return "customers" }

func (*customerRow) columns() string {
	return "id, tenant_id, name, language, project_id, department_id, support_until, signup_domains, created_at, updated_at, version"
}

func (r *customerRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.Name, &r.Language, &r.ProjectID, &r.DepartmentID, &r.SupportUntil, jsonColumn{&r.SignupDomains}, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func (*departmentRow) table() string { return "departments" }

func (*departmentRow) columns() string {
	return "id, tenant_id, name, created_at, updated_at, version"
}

func (r *departmentRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.Name, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func (*projectRow) table() string { return "projects" }

func (*projectRow) columns() string {
	return "id, tenant_id, name, customer_id, created_at, updated_at, version"
}

func (r *projectRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.Name, &r.CustomerID, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func (*templateRow) table() string { return "templates" }

func (*templateRow) columns() string {
	return "id, tenant_id, name, description, fields, blocks, created_at, updated_at, version"
}

func (r *templateRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.Name, &r.Description, jsonColumn{&r.Fields}, jsonColumn{&r.Blocks}, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func (*deviceRow) table() string { return "devices" }

func (*deviceRow) columns() string {
	return "id, tenant_id, customer_id, template_id, project_id, name, serial_number, location, fields, search_text, created_at, updated_at, version"
}

func (r *deviceRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.CustomerID, &r.TemplateID, &r.ProjectID, &r.Name, &r.SerialNumber, &r.Location, jsonColumn{&r.Fields}, &r.SearchText, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func (*codeRow) table() string { return "codes" }

func (*codeRow) columns() string {
	return "id, tenant_id, device_id, token, active, expires_at, actions, pin_hash, appearance, scan_count, last_scan_at, created_at, updated_at, version"
}

func (r *codeRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.DeviceID, &r.Token, &r.Active, &r.ExpiresAt, jsonColumn{&r.Actions}, &r.PINHash, jsonColumn{&r.Appearance}, &r.ScanCount, &r.LastScanAt, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func (*statusRow) table() string { return "statuses" }

func (*statusRow) columns() string {
	return "id, tenant_id, name, state, is_default, position, retired, created_at, updated_at, version"
}

func (r *statusRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.Name, &r.State, &r.Default, &r.Position, &r.Retired, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func (*priorityRow) table() string { return "priorities" }

func (*priorityRow) columns() string {
	return "id, tenant_id, name, rank, is_default, retired, created_at, updated_at, version"
}

func (r *priorityRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.Name, &r.Rank, &r.Default, &r.Retired, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func (*cannedRow) table() string { return "canned_responses" }

func (*cannedRow) columns() string {
	return "id, tenant_id, language, title, body, created_at, updated_at, version"
}

func (r *cannedRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.Language, &r.Title, &r.Body, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func (*ticketRow) table() string { return "tickets" }

func (*ticketRow) columns() string {
	return "id, tenant_id, number, prefix, title, description, requester_name, requester_email, requester_phone, requester_language, device_id, customer_id, project_id, type, priority_id, status_id, state, assignee_id, team_id, source, code_id, created_by_kind, created_by_id, created_by_name, rating_stars, rating_comment, rated_at, close_reason, link_version, search_text, created_at, updated_at, closed_at, uploads_until, version"
}

func (r *ticketRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.Number, &r.Prefix, &r.Title, &r.Description, &r.RequesterName, &r.RequesterEmail, &r.RequesterPhone, &r.RequesterLanguage, &r.DeviceID, &r.CustomerID, &r.ProjectID, &r.Type, &r.PriorityID, &r.StatusID, &r.State, &r.AssigneeID, &r.TeamID, &r.Source, &r.CodeID, &r.CreatedByKind, &r.CreatedByID, &r.CreatedByName, &r.Rating.Stars, &r.Rating.Comment, &r.Rating.At, &r.CloseReason, &r.LinkVersion, &r.SearchText, &r.CreatedAt, &r.UpdatedAt, &r.ClosedAt, &r.UploadsUntil, &r.Version}
}

func (*messageRow) table() string { return "messages" }

func (*messageRow) columns() string {
	return "id, tenant_id, ticket_id, author_kind, author_id, author_name, body, visibility, created_at"
}

func (r *messageRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.TicketID, &r.AuthorKind, &r.AuthorID, &r.AuthorName, &r.Body, &r.Visibility, &r.CreatedAt}
}

func (*historyRow) table() string { return "history" }

func (*historyRow) columns() string {
	return "id, tenant_id, ticket_id, session_id, actor_kind, actor_id, actor_name, action, from_state, to_state, reason, at"
}

func (r *historyRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.TicketID, &r.SessionID, &r.ActorKind, &r.ActorID, &r.ActorName, &r.Action, &r.From, &r.To, &r.Reason, &r.At}
}

func (*sessionRow) table() string { return "sessions" }

func (*sessionRow) columns() string {
	return "id, tenant_id, ticket_id, state, planned_at, planned_end, agent_id, room, started_at, ended_at, rating_stars, rating_comment, rated_at, created_at, updated_at, version"
}

func (r *sessionRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.TicketID, &r.State, &r.PlannedAt, &r.PlannedEnd, &r.AgentID, &r.Room, &r.StartedAt, &r.EndedAt, &r.Rating.Stars, &r.Rating.Comment, &r.Rating.At, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func (*timerRow) table() string { return "timers" }

func (*timerRow) columns() string {
	return "id, tenant_id, ticket_id, session_id, subject_id, kind, due_at, run_at, attempts, last_error, created_at"
}

func (r *timerRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.TicketID, &r.SessionID, &r.SubjectID, &r.Kind, &r.DueAt, &r.RunAt, &r.Attempts, &r.LastError, &r.CreatedAt}
}

// values returns r's column values in the order of columns().
func (r *timerRow) values() []any {
	return []any{r.ID, r.TenantID, r.TicketID, nullUUID(r.SessionID), r.SubjectID, r.Kind, r.DueAt, r.RunAt,
		r.Attempts, r.LastError, r.CreatedAt}
}

func (*attachmentRow) table() string { return "attachments" }

func (*attachmentRow) columns() string {
	return "id, tenant_id, ticket_id, message_id, visibility, name, content_type, size, digest, blob_key, uploader_kind, uploader_id, uploader_name, created_at"
}

func (r *attachmentRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.TicketID, &r.MessageID, &r.Visibility, &r.Name, &r.ContentType, &r.Size, &r.Digest, &r.Key, &r.UploaderKind, &r.UploaderID, &r.UploaderName, &r.CreatedAt}
}

// values returns r's column values in the order of columns().
func (r *attachmentRow) values() []any {
	return []any{r.ID, r.TenantID, r.TicketID, nullUUID(r.MessageID), r.Visibility, r.Name, r.ContentType, r.Size,
		r.Digest, r.Key, r.UploaderKind, nullUUID(r.UploaderID), r.UploaderName, r.CreatedAt}
}

func (*auditRow) table() string { return "audit_log" }

func (*auditRow) columns() string {
	return "id, tenant_id, actor_kind, actor_id, actor_name, action, entity, entity_id, detail, at"
}

func (r *auditRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.ActorKind, &r.ActorID, &r.ActorName, &r.Action, &r.Entity, &r.EntityID, &r.Detail, &r.At}
}

func (*userRow) table() string { return "users" }

func (*userRow) columns() string {
	return "id, tenant_id, customer_id, email, name, phone, language, push, role, status, department_id, password_hash, last_sign_in_at, search_text, created_at, updated_at, version"
}

func (r *userRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.CustomerID, &r.Email, &r.Name, &r.Phone, &r.Language, &r.Push, &r.Role, &r.Status, &r.DepartmentID, &r.PasswordHash, &r.LastSignInAt, &r.SearchText, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func (*teamRow) table() string { return "teams" }

func (*teamRow) columns() string {
	return "id, tenant_id, name, supervisor_id, meta_team_id, created_at, updated_at, version"
}

func (r *teamRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.Name, &r.SupervisorID, &r.MetaTeamID, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func (*teamMemberRow) table() string { return "team_members" }

func (*teamMemberRow) columns() string { return "team_id, tenant_id, user_id, position" }

func (r *teamMemberRow) targets() []any {
	return []any{&r.TeamID, &r.TenantID, &r.UserID, &r.Position}
}

func (*metaTeamRow) table() string { return "meta_teams" }

func (*metaTeamRow) columns() string {
	return "id, tenant_id, name, created_at, updated_at, version"
}

func (r *metaTeamRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.Name, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}

func (*userTokenRow) table() string { return "user_tokens" }

func (*userTokenRow) columns() string {
	return "id, tenant_id, user_id, purpose, hash, expires_at, used_at, created_at"
}

func (r *userTokenRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.UserID, &r.Purpose, &r.Hash, &r.ExpiresAt, &r.UsedAt, &r.CreatedAt}
}

func (*authSessionRow) table() string { return "auth_sessions" }

func (*authSessionRow) columns() string {
	return "id, tenant_id, user_id, token_hash, created_at, expires_at"
}

func (r *authSessionRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.UserID, &r.TokenHash, &r.CreatedAt, &r.ExpiresAt}
}

func (*notificationRow) table() string { return "notifications" }

func (*notificationRow) columns() string {
	return "id, tenant_id, event, channel, user_id, to_name, to_email, to_phone, language, subject, text, html, header_image, link, ticket_id, idempotency_key, status, attempts, next_attempt_at, last_error, provider_id, created_at, sent_at, delivered_at, read_at, sealed"
}

func (r *notificationRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.Event, &r.Channel, &r.UserID, &r.ToName, &r.ToEmail, &r.ToPhone, &r.Language, &r.Subject, &r.Text, &r.HTML, &r.HeaderImage, &r.Link, &r.TicketID, &r.IdempotencyKey, &r.Status, &r.Attempts, &r.NextAttemptAt, &r.LastError, &r.ProviderID, &r.CreatedAt, &r.SentAt, &r.DeliveredAt, &r.ReadAt, &r.Sealed}
}

func (*notificationTemplateRow) table() string { return "notification_templates" }

func (*notificationTemplateRow) columns() string {
	return "id, tenant_id, event, channel, language, subject, text, html, header_image, link, enabled, created_at, updated_at, version"
}

func (r *notificationTemplateRow) targets() []any {
	return []any{&r.ID, &r.TenantID, &r.Event, &r.Channel, &r.Language, &r.Subject, &r.Text, &r.HTML, &r.HeaderImage, &r.Link, &r.Enabled, &r.CreatedAt, &r.UpdatedAt, &r.Version}
}
