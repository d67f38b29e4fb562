package graph_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/ent/tenant"
	"github.com/agentdesk/agentdesk/internal/mail/mailtest"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

var invitationCode = regexp.MustCompile(`choose your password is (\d{6})`)

const (
	createUserOp       = `mutation($in: CreateUserInput!){ createUser(input:$in){ id hasPassword invitation{ sentAt expiresAt } } }`
	resendInvitationOp = `mutation($id:ID!){ resendInvitation(userId:$id){ id invitation{ sentAt expiresAt } } }`
	invitationOp       = `query($id:ID!){ user(id:$id){ hasPassword invitation{ sentAt expiresAt } } }`
)

type invitedUser struct {
	ID          string
	HasPassword bool
	Invitation  *struct{ SentAt, ExpiresAt time.Time }
}

// An invited user gets its code by SMTP, sets its password once with it,
// and signs in; diagnostics say it cannot sign in before the invitation and
// can after.
func TestInvitationThroughSMTP(t *testing.T) {
	smtpd := mailtest.Start(t)
	s := testserver.New(t, func(c *agentdesk.Config) {
		c.SMTPURL = smtpd.URL()
		c.MailFrom = "agentdesk <no-reply@agentdesk.test>"
	})
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")

	// Created without password nor invitation: nobody can sign in as it.
	var created struct{ CreateUser invitedUser }
	s.MustDo(root, createUserOp, map[string]any{"in": map[string]any{
		"tenantId": tn.ID, "email": "nia@acme.test", "name": "Nia", "role": "AGENT"}}, &created)
	if c := diagnose(t, s, root, "nia@acme.test")["canSignIn"]; c.Ok || !strings.Contains(c.Message, "resendInvitation") {
		t.Fatalf("canSignIn before the invitation = %+v, want not ok and what to do", c)
	}
	if created.CreateUser.Invitation != nil {
		t.Fatalf("invitation without invite: %+v", created.CreateUser.Invitation)
	}

	var resent struct{ ResendInvitation invitedUser }
	s.MustDo(root, resendInvitationOp, map[string]any{"id": created.CreateUser.ID}, &resent)
	inv := resent.ResendInvitation.Invitation
	if inv == nil || inv.ExpiresAt.Sub(inv.SentAt) != 7*24*time.Hour {
		t.Fatalf("invitation = %+v, want one valid for 7 days", inv)
	}
	if c := diagnose(t, s, root, "nia@acme.test")["canSignIn"]; !c.Ok {
		t.Fatalf("canSignIn with a pending invitation = %+v", c)
	}

	m := smtpd.Next(t)
	if !slices.Equal(m.To, []string{"nia@acme.test"}) {
		t.Fatalf("invitation sent to %v", m.To)
	}
	text, html := bodies(t, m)
	c := invitationCode.FindStringSubmatch(text)
	if c == nil || !strings.Contains(html, c[1]) || !strings.Contains(text, "7 days") {
		t.Fatalf("no code (or not the same in HTML, or no 7 days) in the invitation:\n%s", text)
	}
	var out struct{ ResetPassword bool }
	s.MustDo("", resetPasswordOp, map[string]any{"e": "nia@acme.test", "c": c[1], "p": newAgentPassword}, &out)
	if !out.ResetPassword {
		t.Fatal("resetPassword with the invitation's code = false")
	}
	if token := mustSignIn(t, s, "nia@acme.test", newAgentPassword); meEmail(t, s, token) != "nia@acme.test" {
		t.Fatal("the password set with the invitation does not sign in")
	}
	// Used once: the code is spent and the invitation is no longer pending.
	if r := resetPassword(s, "nia@acme.test", c[1], otherGoodPassword); r.Code() != "INVALID_CODE" {
		t.Fatalf("invitation code used twice: %+v", r.Errors)
	}
	var after struct{ User invitedUser }
	s.MustDo(root, invitationOp, map[string]any{"id": created.CreateUser.ID}, &after)
	if !after.User.HasPassword || after.User.Invitation != nil {
		t.Fatalf("after setting the password: %+v", after.User)
	}
	if c := diagnose(t, s, root, "nia@acme.test")["canSignIn"]; !c.Ok {
		t.Fatalf("canSignIn with a password = %+v", c)
	}
	// The user has a password now: nothing to invite to.
	if r := s.Do(root, resendInvitationOp, map[string]any{"id": created.CreateUser.ID}); r.Code() != "VALIDATION_ERROR" {
		t.Fatalf("resendInvitation to a user with a password: %+v", r.Errors)
	}
}

func TestInvitationRules(t *testing.T) {
	s, box := newSignInServer(t)
	root := s.RootToken()
	tn := s.CreateTenant(root, "acme")
	invite := func(t *testing.T, email string) invitedUser {
		t.Helper()
		var out struct{ CreateUser invitedUser }
		s.MustDo(root, createUserOp, map[string]any{"in": map[string]any{
			"tenantId": tn.ID, "email": email, "name": "New", "role": "AGENT", "invite": true}}, &out)
		return out.CreateUser
	}
	code := func(t *testing.T, to string) string {
		t.Helper()
		msg := box.next(t)
		c := invitationCode.FindStringSubmatch(msg.Text)
		if msg.To != to || c == nil || !strings.Contains(msg.Subject, "Welcome") {
			t.Fatalf("mail to %s (%q) is not an invitation for %s", msg.To, msg.Subject, to)
		}
		return c[1]
	}

	t.Run("expired", func(t *testing.T) {
		u := invite(t, "old@acme.test")
		if u.Invitation == nil || u.HasPassword {
			t.Fatalf("createUser(invite) = %+v", u)
		}
		c := code(t, "old@acme.test")
		s.Clock.Advance(7*24*time.Hour + time.Minute)
		root = s.RootToken() // the old session has expired too
		if r := resetPassword(s, "old@acme.test", c, newAgentPassword); r.Code() != "INVALID_CODE" {
			t.Fatalf("expired invitation: %+v", r.Errors)
		}
		if c := diagnose(t, s, root, "old@acme.test")["canSignIn"]; c.Ok {
			t.Fatalf("canSignIn with an expired invitation = %+v", c)
		}
		// A new one works, and the old code stays dead.
		var out struct{ ResendInvitation invitedUser }
		s.MustDo(root, resendInvitationOp, map[string]any{"id": u.ID}, &out)
		fresh := code(t, "old@acme.test")
		if fresh != c {
			if r := resetPassword(s, "old@acme.test", c, newAgentPassword); r.Code() != "INVALID_CODE" {
				t.Fatalf("old code after a new invitation: %+v", r.Errors)
			}
		}
		var ok struct{ ResetPassword bool }
		resetPassword(s, "old@acme.test", fresh, newAgentPassword).Decode(t, &ok)
		box.next(t) // the password-changed notice
		mustSignIn(t, s, "old@acme.test", newAgentPassword)
	})

	t.Run("not with a password", func(t *testing.T) {
		r := s.Do(root, createUserOp, map[string]any{"in": map[string]any{
			"tenantId": tn.ID, "email": "pw@acme.test", "name": "Pw", "role": "AGENT", "invite": true, "password": newAgentPassword}})
		if r.Code() != "VALIDATION_ERROR" {
			t.Fatalf("invite with a password: %+v", r.Errors)
		}
	})

	t.Run("import and apply invite the users they create", func(t *testing.T) {
		// A dry run says how many it would invite, and mails nobody (the
		// real import's two mails below are the first to arrive).
		var dry struct {
			ImportUsers struct {
				Created, Invited int
				DryRun           bool
			}
		}
		s.MustDo(root, `mutation($t:ID!,$csv:String!){ importUsers(tenantId:$t, csv:$csv, invite:true, dryRun:true){ created invited dryRun } }`,
			map[string]any{"t": tn.ID, "csv": "email,name\nim1@acme.test,One\nim2@acme.test,Two\n"}, &dry)
		if dry.ImportUsers.Created != 2 || dry.ImportUsers.Invited != 2 || !dry.ImportUsers.DryRun {
			t.Fatalf("dry run = %+v", dry.ImportUsers)
		}
		var imp struct {
			ImportUsers struct{ Created, Invited int }
		}
		s.MustDo(root, `mutation($t:ID!,$csv:String!){ importUsers(tenantId:$t, csv:$csv, invite:true){ created invited } }`,
			map[string]any{"t": tn.ID, "csv": "email,name\nim1@acme.test,One\nim2@acme.test,Two\n"}, &imp)
		if imp.ImportUsers.Created != 2 || imp.ImportUsers.Invited != 2 {
			t.Fatalf("import = %+v", imp.ImportUsers)
		}
		got := map[string]bool{}
		for range 2 {
			m := box.next(t)
			got[m.To] = invitationCode.MatchString(m.Text)
		}
		if !got["im1@acme.test"] || !got["im2@acme.test"] {
			t.Fatalf("invitations = %v", got)
		}
		var ap struct {
			ApplyTenant struct{ Invited int }
		}
		spec := map[string]any{"slug": "acme", "name": "Tenant acme", "emailDomains": []string{"acme.test"}, "users": []map[string]any{
			{"email": "im1@acme.test", "name": "One", "role": "AGENT"}, // exists: not invited again
			{"email": "ap@acme.test", "name": "Ap", "role": "AGENT"},
		}}
		s.MustDo(root, `mutation($s:TenantSpecInput!){ applyTenant(spec:$s, invite:true){ invited } }`, map[string]any{"s": spec}, &ap)
		if ap.ApplyTenant.Invited != 1 {
			t.Fatalf("apply invited %d, want 1", ap.ApplyTenant.Invited)
		}
		if m := box.next(t); m.To != "ap@acme.test" {
			t.Fatalf("apply's invitation went to %s", m.To)
		}
		// A dry run sends nothing.
		s.MustDo(root, `mutation($t:ID!,$csv:String!){ importUsers(tenantId:$t, csv:$csv, invite:true, dryRun:true){ created invited } }`,
			map[string]any{"t": tn.ID, "csv": "email,name\ndry@acme.test,Dry\n"}, &imp)
		if err := s.App.Outbox.Worker.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-box:
			t.Fatalf("a dry run mailed %s", m.To)
		default:
		}
	})

	t.Run("SSO organisations need no invitation", func(t *testing.T) {
		sso := s.CreateTenant(root, "ssoco")
		s.App.DB.Client.Tenant.UpdateOneID(sso.ID).SetSSOMode(tenant.SSOModeAZURE_SSO).ExecX(testserver.Ctx())
		var out struct{ CreateUser invitedUser }
		s.MustDo(root, createUserOp, map[string]any{"in": map[string]any{
			"tenantId": sso.ID, "email": "sam@ssoco.test", "name": "Sam", "role": "AGENT", "invite": true}}, &out)
		if out.CreateUser.Invitation != nil {
			t.Fatalf("SSO user invited: %+v", out.CreateUser)
		}
		if r := s.Do(root, resendInvitationOp, map[string]any{"id": out.CreateUser.ID}); r.Code() != "VALIDATION_ERROR" {
			t.Fatalf("resendInvitation in an SSO organisation: %+v", r.Errors)
		}
		if c := diagnose(t, s, root, "sam@ssoco.test")["canSignIn"]; !c.Ok {
			t.Fatalf("canSignIn of an SSO user = %+v", c)
		}
	})
}
